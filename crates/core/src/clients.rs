//! Client management: [`Clients`] (create, get, search, update, delete) and [`Secrets`] (rotation), named as in
//! the official SDKs (`clients().create`, `clients().secrets().rotate_start`).

use futures_util::stream::{self, Stream, StreamExt as _, TryStreamExt as _};
use stytch_m2m_models::{
    CreateRequest, CreateResponse, DeleteResponse, GetResponse, M2mClient, RotateCancelResponse,
    RotateRequest, RotateResponse, RotateStartResponse, SearchRequest, SearchResponse,
    UpdateRequest, UpdateResponse,
};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::transport::Method;
use crate::validate::{self, Validate as _};
use crate::wire::encode_path_segment;

const CLIENTS: &str = "/v1/m2m/clients";

fn client_path(client_id: &str, suffix: &str) -> String {
    format!("{CLIENTS}/{}{suffix}", encode_path_segment(client_id))
}

/// The M2M client operations; from [`Client::clients`].
#[derive(Clone, Copy, Debug)]
pub struct Clients<'a> {
    client: &'a Client,
}

impl<'a> Clients<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Secret rotation: start, cancel, complete.
    pub fn secrets(&self) -> Secrets<'a> {
        Secrets {
            client: self.client,
        }
    }

    /// Creates a client (`POST /v1/m2m/clients`); with `client_id` and `client_secret` set, imports one. The
    /// response holds the secret: the only time it is shown. Never retried unless the request was never sent.
    ///
    /// ```no_run
    /// # use stytch_m2m_core as stytch_m2m;
    /// # async fn run(client: stytch_m2m::Client) -> Result<(), stytch_m2m::Error> {
    /// use stytch_m2m::models::CreateRequest;
    ///
    /// let created = client
    ///     .clients()
    ///     .create(CreateRequest::new(["read:users"]).client_name("billing"))
    ///     .await?;
    /// let secret = created.m2m_client.client_secret; // store it now
    /// # let _ = secret; Ok(()) }
    /// ```
    pub async fn create(&self, request: CreateRequest) -> Result<CreateResponse, Error> {
        request.validate()?;
        let call = Call::json(
            "m2m.clients.create",
            Method::Post,
            CLIENTS.to_owned(),
            &request,
        );
        let call = match &request.client_id {
            Some(id) => call.for_client(id),
            None => call,
        };
        self.client.execute(call).await
    }

    /// Gets a client (`GET /v1/m2m/clients/{client_id}`).
    pub async fn get(&self, client_id: &str) -> Result<GetResponse, Error> {
        validate::client_id_argument(client_id)?;
        let call = Call::empty("m2m.clients.get", Method::Get, client_path(client_id, ""))
            .for_client(client_id);
        self.client.execute(call).await
    }

    /// Searches clients, one page (`POST /v1/m2m/clients/search`). See [`Clients::search_all`] for every page.
    pub async fn search(&self, request: SearchRequest) -> Result<SearchResponse, Error> {
        request.validate()?;
        let call = Call::json(
            "m2m.clients.search",
            Method::Post,
            format!("{CLIENTS}/search"),
            &request,
        )
        .idempotent(true);
        self.client.execute(call).await
    }

    /// Every client matching `request`, across pages: follows `results_metadata.next_cursor` until it is null.
    ///
    /// ```no_run
    /// # use stytch_m2m_core as stytch_m2m;
    /// # async fn run(client: stytch_m2m::Client) -> Result<(), stytch_m2m::Error> {
    /// use futures_util::TryStreamExt as _;
    /// use stytch_m2m::models::{SearchOperand, SearchRequest};
    ///
    /// let readers: Vec<_> = client
    ///     .clients()
    ///     .search_all(SearchRequest::all_of([SearchOperand::scopes(["read:users"])]).limit(200))
    ///     .try_collect()
    ///     .await?;
    /// # let _ = readers; Ok(()) }
    /// ```
    ///
    /// The stream holds its own clone of the client (`'static`), so it can be spawned or kept past the borrow.
    pub fn search_all(
        &self,
        request: SearchRequest,
    ) -> impl Stream<Item = Result<M2mClient, Error>> + Send + 'static {
        let client = self.client.clone();
        let pages = stream::try_unfold(Some(request), move |next| {
            let client = client.clone();
            async move {
                let Some(request) = next else {
                    return Ok(None);
                };
                let previous = request.cursor.clone();
                let page = client.clients().search(request.clone()).await?;
                let following = match page.results_metadata.next_cursor {
                    Some(cursor) if !cursor.is_empty() && Some(&cursor) != previous.as_ref() => {
                        Some(request.cursor(cursor))
                    }
                    _ => None,
                };
                Ok::<_, Error>(Some((page.m2m_clients, following)))
            }
        });
        pages
            .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Updates a client (`PUT /v1/m2m/clients/{client_id}`): name, description, status, scopes, trusted metadata.
    ///
    /// ```no_run
    /// # use stytch_m2m_core as stytch_m2m;
    /// # async fn run(client: stytch_m2m::Client) -> Result<(), stytch_m2m::Error> {
    /// use stytch_m2m::models::{UpdateRequest, UpdateStatus};
    ///
    /// client.clients().update("m2m-client-test-…", UpdateRequest::new().status(UpdateStatus::Inactive)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(
        &self,
        client_id: &str,
        request: UpdateRequest,
    ) -> Result<UpdateResponse, Error> {
        validate::client_id_argument(client_id)?;
        request.validate()?;
        let call = Call::json(
            "m2m.clients.update",
            Method::Put,
            client_path(client_id, ""),
            &request,
        )
        .for_client(client_id);
        self.client.execute(call).await
    }

    /// Deletes a client (`DELETE /v1/m2m/clients/{client_id}`).
    pub async fn delete(&self, client_id: &str) -> Result<DeleteResponse, Error> {
        validate::client_id_argument(client_id)?;
        let call = Call::empty(
            "m2m.clients.delete",
            Method::Delete,
            client_path(client_id, ""),
        )
        .for_client(client_id);
        self.client.execute(call).await
    }
}

/// Secret rotation; from [`Clients::secrets`]. None of these calls is retried unless the request was never sent.
#[derive(Clone, Copy, Debug)]
pub struct Secrets<'a> {
    client: &'a Client,
}

impl Secrets<'_> {
    async fn rotation<T: serde::de::DeserializeOwned>(
        &self,
        operation: &'static str,
        client_id: &str,
        suffix: &str,
    ) -> Result<T, Error> {
        validate::client_id_argument(client_id)?;
        let body = RotateRequest::from(serde_json::Map::new());
        let call = Call::json(
            operation,
            Method::Post,
            client_path(client_id, suffix),
            &body,
        )
        .for_client(client_id)
        .idempotent(false);
        self.client.execute(call).await
    }

    /// Starts a rotation: returns `next_client_secret` (shown once); both secrets work until the rotation ends.
    ///
    /// ```no_run
    /// # use stytch_m2m_core as stytch_m2m;
    /// # async fn run(client: stytch_m2m::Client) -> Result<(), stytch_m2m::Error> {
    /// let started = client.clients().secrets().rotate_start("m2m-client-test-…").await?;
    /// let next = started.m2m_client.next_client_secret; // deploy it, then:
    /// client.clients().secrets().rotate("m2m-client-test-…").await?;
    /// # let _ = next; Ok(()) }
    /// ```
    pub async fn rotate_start(&self, client_id: &str) -> Result<RotateStartResponse, Error> {
        self.rotation(
            "m2m.clients.secrets.rotate_start",
            client_id,
            "/secrets/rotate/start",
        )
        .await
    }

    /// Cancels a rotation: the next secret is discarded.
    pub async fn rotate_cancel(&self, client_id: &str) -> Result<RotateCancelResponse, Error> {
        self.rotation(
            "m2m.clients.secrets.rotate_cancel",
            client_id,
            "/secrets/rotate/cancel",
        )
        .await
    }

    /// Completes a rotation: the next secret becomes the secret and the old one stops working.
    pub async fn rotate(&self, client_id: &str) -> Result<RotateResponse, Error> {
        self.rotation("m2m.clients.secrets.rotate", client_id, "/secrets/rotate")
            .await
    }
}

impl Client {
    /// Client management: create, get, search, update, delete, and `secrets()` for rotation.
    pub fn clients(&self) -> Clients<'_> {
        Clients::new(self)
    }
}
