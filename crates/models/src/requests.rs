//! Constructors for the request models, so that only what matters is written: `CreateRequest::new(scopes)` and
//! chained setters for the optional fields. The structs themselves are generated; these are plain `impl` blocks.

use serde_json::{Map, Value};

use crate::{
    CreateRequest, SearchFilterName, SearchOperand, SearchOperator, SearchQuery, SearchRequest,
    Secret,
};
use crate::{GrantType, TokenRequest, UpdateRequest, UpdateStatus};

impl CreateRequest {
    /// A create request with these scopes and nothing else: Stytch generates the id and the secret.
    ///
    /// ```
    /// # mod stytch_m2m { pub mod models { pub use stytch_m2m_models::*; } }
    /// use stytch_m2m::models::CreateRequest;
    ///
    /// let req = CreateRequest::new(["read:users", "write:users"]).client_name("billing");
    /// assert_eq!(
    ///     serde_json::to_value(&req).unwrap(),
    ///     serde_json::json!({"scopes": ["read:users", "write:users"], "client_name": "billing"})
    /// );
    /// ```
    pub fn new<I, S>(scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        // Through the generated builder, so that an optional property added to the schema needs no edit here.
        Self::builder()
            .scopes(scopes.into_iter().map(Into::into).collect::<Vec<String>>())
            .try_into()
            .expect("scopes is the only required field")
    }

    /// Imports the client with this id instead of letting Stytch generate one.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Imports the client with this secret instead of letting Stytch generate one.
    pub fn client_secret(mut self, client_secret: impl Into<Secret>) -> Self {
        self.client_secret = Some(client_secret.into());
        self
    }

    /// Sets the human-readable name.
    pub fn client_name(mut self, client_name: impl Into<String>) -> Self {
        self.client_name = Some(client_name.into());
        self
    }

    /// Sets the human-readable description.
    pub fn client_description(mut self, client_description: impl Into<String>) -> Self {
        self.client_description = Some(client_description.into());
        self
    }

    /// Sets the trusted metadata (a JSON object).
    pub fn trusted_metadata(mut self, trusted_metadata: Map<String, Value>) -> Self {
        self.trusted_metadata = trusted_metadata;
        self
    }
}

impl UpdateRequest {
    /// An update that changes nothing yet; chain the setters of what should change.
    ///
    /// ```
    /// # mod stytch_m2m { pub mod models { pub use stytch_m2m_models::*; } }
    /// use stytch_m2m::models::{UpdateRequest, UpdateStatus};
    ///
    /// let req = UpdateRequest::new().status(UpdateStatus::Inactive);
    /// assert_eq!(serde_json::to_value(&req).unwrap(), serde_json::json!({"status": "inactive"}));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a new name.
    pub fn client_name(mut self, client_name: impl Into<String>) -> Self {
        self.client_name = Some(client_name.into());
        self
    }

    /// Sets a new description.
    pub fn client_description(mut self, client_description: impl Into<String>) -> Self {
        self.client_description = Some(client_description.into());
        self
    }

    /// Activates or deactivates the client.
    pub fn status(mut self, status: UpdateStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Replaces the scopes. An empty list is not sent (it means "no change", as for the Java SDK, which always sends
    /// `[]`).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Merges into the trusted metadata at the top level; a key set to `null` is deleted.
    pub fn trusted_metadata(mut self, trusted_metadata: Map<String, Value>) -> Self {
        self.trusted_metadata = trusted_metadata;
        self
    }
}

impl SearchRequest {
    /// A search for every client (no query), first page, default limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// A search whose query matches every operand (`AND`).
    ///
    /// ```
    /// # mod stytch_m2m { pub mod models { pub use stytch_m2m_models::*; } }
    /// use stytch_m2m::models::{SearchOperand, SearchRequest};
    ///
    /// let req = SearchRequest::all_of([SearchOperand::scopes(["read:users"])]).limit(50);
    /// assert_eq!(
    ///     serde_json::to_value(&req).unwrap(),
    ///     serde_json::json!({"limit": 50, "query": {"operator": "AND", "operands": [
    ///         {"filter_name": "scopes", "filter_value": ["read:users"]}]}})
    /// );
    /// ```
    pub fn all_of(operands: impl IntoIterator<Item = SearchOperand>) -> Self {
        Self::with_query(SearchOperator::And, operands)
    }

    /// A search whose query matches at least one operand (`OR`).
    pub fn any_of(operands: impl IntoIterator<Item = SearchOperand>) -> Self {
        Self::with_query(SearchOperator::Or, operands)
    }

    fn with_query(
        operator: SearchOperator,
        operands: impl IntoIterator<Item = SearchOperand>,
    ) -> Self {
        Self::new().query(SearchQuery::new(operator, operands))
    }

    /// Sets the query.
    pub fn query(mut self, query: SearchQuery) -> Self {
        self.query = Some(query);
        self
    }

    /// Sets the page size (0 to 1000; Stytch's default is 100).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Continues after a previous page (its `results_metadata.next_cursor`).
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }
}

impl SearchQuery {
    /// A query combining these operands with this operator.
    ///
    /// ```
    /// # mod stytch_m2m { pub mod models { pub use stytch_m2m_models::*; } }
    /// use stytch_m2m::models::{SearchOperand, SearchOperator, SearchQuery, SearchRequest};
    ///
    /// let query = SearchQuery::new(SearchOperator::Or, [SearchOperand::client_ids(["a", "b"])]);
    /// let req = SearchRequest::new().query(query);
    /// assert_eq!(serde_json::to_value(&req).unwrap()["query"]["operator"], "OR");
    /// ```
    pub fn new(
        operator: SearchOperator,
        operands: impl IntoIterator<Item = SearchOperand>,
    ) -> Self {
        Self::builder()
            .operator(operator)
            .operands(operands.into_iter().collect::<Vec<_>>())
            .try_into()
            .expect("operator and operands are the required fields")
    }
}

impl SearchOperand {
    /// Clients whose id is one of these.
    pub fn client_ids<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Self {
        Self::of(SearchFilterName::ClientId, values)
    }

    /// Clients whose name is exactly one of these.
    pub fn client_names<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Self {
        Self::of(SearchFilterName::ClientName, values)
    }

    /// Clients that have at least one of these scopes.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Self {
        Self::of(SearchFilterName::Scopes, values)
    }

    fn of<I: IntoIterator<Item = S>, S: Into<String>>(
        filter_name: SearchFilterName,
        values: I,
    ) -> Self {
        Self::new(filter_name, values)
    }

    /// Clients whose `filter_name` field matches one of these values (the named constructors above cover the known
    /// filters; this one also takes a filter this SDK does not know yet).
    ///
    /// ```
    /// # mod stytch_m2m { pub mod models { pub use stytch_m2m_models::*; } }
    /// use stytch_m2m::models::{SearchFilterName, SearchOperand};
    ///
    /// let operand = SearchOperand::new(SearchFilterName::Scopes, ["read:users"]);
    /// assert_eq!(operand, SearchOperand::scopes(["read:users"]));
    /// ```
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        filter_name: SearchFilterName,
        values: I,
    ) -> Self {
        Self::builder()
            .filter_name(filter_name)
            .filter_value(values.into_iter().map(Into::into).collect::<Vec<String>>())
            .try_into()
            .expect("filter_name and filter_value are the required fields")
    }
}

impl TokenRequest {
    /// The client credentials grant: this client's id and secret, and the scopes asked for joined by spaces (`None`
    /// asks for every scope of the client).
    ///
    /// ```
    /// # mod stytch_m2m { pub mod models { pub use stytch_m2m_models::*; } }
    /// use stytch_m2m::models::TokenRequest;
    ///
    /// let req = TokenRequest::client_credentials("m2m-client-test-1", "s3cr3t-v4lue", None);
    /// assert_eq!(req.grant_type.to_string(), "client_credentials");
    /// ```
    pub fn client_credentials(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        scope: Option<String>,
    ) -> Self {
        Self::builder()
            .grant_type(GrantType::ClientCredentials)
            .client_id(client_id.into())
            .client_secret(client_secret.into())
            .scope(scope)
            .try_into()
            .expect("every required field of a token request is set")
    }
}
