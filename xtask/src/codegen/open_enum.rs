//! Renders an open enum: known values as unit variants plus `Unknown(UnknownValue)` for values this SDK does not
//! know yet (after smithy-rs `ClientEnumGenerator` and async-stripe's enum template).
//!
//! The generated type is `#[non_exhaustive]`; parsing never fails (`From<&str>`, `FromStr<Err = Infallible>`);
//! `try_parse` is there for strict callers; serialization writes the exact string received. `UnknownValue` (in the
//! models crate) can only be built by parsing, so `Unknown` never holds a known value and equality stays sound.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::prepass::OpenEnum;

/// `m2m_client_not_found` -> `M2mClientNotFound`, `AND` -> `And`.
pub fn variant_name(value: &str) -> String {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The tokens of one open enum and its impls.
pub fn render(e: &OpenEnum) -> TokenStream {
    let name = Ident::new(&e.name, Span::call_site());
    let doc = &e.description;
    let variants: Vec<Ident> = e
        .values
        .iter()
        .map(|v| Ident::new(&variant_name(v), Span::call_site()))
        .collect();
    let values = &e.values;
    let variant_docs: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #variant_docs] #variants, )*
            /// A value this SDK does not know yet, kept exactly as the server sent it.
            Unknown(crate::UnknownValue),
        }

        impl #name {
            /// Every value this SDK knows, in schema order.
            pub const KNOWN: &'static [Self] = &[ #( Self::#variants, )* ];

            /// The wire string of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::Unknown(v) => v.as_str(),
                }
            }

            /// Parses a known value; `None` for a value this SDK does not know.
            pub fn try_parse(value: &str) -> Option<Self> {
                match value {
                    #( #values => Some(Self::#variants), )*
                    _ => None,
                }
            }

            /// Whether this is a value this SDK knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::try_parse(value).unwrap_or_else(|| Self::Unknown(crate::UnknownValue::new(value)))
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::variant_name;

    #[test]
    fn variant_names_are_pascal_case() {
        assert_eq!(variant_name("m2m_client_not_found"), "M2mClientNotFound");
        assert_eq!(variant_name("AND"), "And");
        assert_eq!(variant_name("active"), "Active");
    }
}
