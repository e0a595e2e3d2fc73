//! The JSON API's errors: one enum, `From` impls for the errors handlers meet, and one
//! `IntoResponse`, so handlers use `?` (axum's `examples/error-handling`).
//!
//! Every error answers with its status and `{"error":{"code","message"}}`. The codes and
//! messages are part of the API (tests and the web client read them); nothing internal leaks:
//! a storage failure is logged here, once, and the client hears only "try again".

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::IMPORT_MAX_BYTES;
use crate::export::ExportError;
use crate::hub::{CreateError, SeriesError};
use crate::session::{ImportError, SlugError, UnknownTimeZone, SESSION_TITLE_MAX};

/// Everything an API request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body or query could not be read.
    #[error("{0}")]
    InvalidRequest(String),
    /// An export's query could not be read.
    #[error("{0}")]
    InvalidOptions(String),
    /// The session name is not a valid name.
    #[error(transparent)]
    InvalidSlug(#[from] SlugError),
    /// The title is empty or too long.
    #[error("the title must be 1–{SESSION_TITLE_MAX} characters")]
    InvalidTitle,
    /// The time zone is not an IANA name.
    #[error(transparent)]
    InvalidTimeZone(#[from] UnknownTimeZone),
    /// Too many key checks or creations from one address.
    #[error("too many attempts from your address; wait a minute and try again")]
    RateLimited,
    /// The server needs its admin password and none came.
    #[error("this server needs its admin password to create sessions")]
    AdminPasswordRequired,
    /// The admin password is wrong.
    #[error("wrong admin password")]
    InvalidAdminPassword,
    /// Creating or importing failed (name taken, invalid file, disk).
    #[error(transparent)]
    Create(#[from] CreateError),
    /// The export file cannot be read as one.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// An export's options name something that is not there.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A `POST` to a session's own address (only `DELETE` goes there).
    #[error("only DELETE goes to a session's address")]
    MethodNotAllowed,
    /// The import is larger than [`IMPORT_MAX_BYTES`].
    #[error("the file is larger than {} MB", IMPORT_MAX_BYTES / 1024 / 1024)]
    TooLarge,
    /// No session by that name.
    #[error("no such session")]
    SessionNotFound,
    /// No series by that name.
    #[error("no such series")]
    SeriesNotFound,
    /// Creating or changing a series failed (name taken, agenda refused, disk).
    #[error(transparent)]
    Series(#[from] SeriesError),
    /// No prompt by that id in the session (theme suggestions).
    #[error("no prompt {0} in this session")]
    PromptNotFound(String),
    /// Theme suggestions for a prompt that is not a brainstorm (only brainstorms have themes).
    #[error("only a brainstorm's items can be put in themes")]
    NotThemable,
    /// No such download.
    #[error("no such export")]
    NotFound,
    /// The facilitator key is missing.
    #[error("send the facilitator key as 'Authorization: Bearer <key>'")]
    KeyRequired,
    /// The facilitator key is wrong.
    #[error("wrong facilitator key")]
    InvalidKey,
    /// The session's files could not be deleted.
    #[error("the session could not be deleted; try again")]
    DeleteFailed,
    /// The session task is stopping (the server is restarting).
    #[error("the server is restarting; try again")]
    Unavailable,
    /// A websocket from a page of another origin.
    #[error("websockets are only accepted from this server's own pages")]
    OriginNotAllowed,
    /// A `Host` this server does not serve (DNS rebinding): see `http::trust`.
    #[error(
        "this server does not answer for that host name (its operator can add it with --public-url)"
    )]
    MisdirectedRequest,
    /// A state-changing request from another site's page (`Sec-Fetch-Site` or `Origin`).
    #[error("requests from other sites' pages are refused")]
    CrossSite,
    /// A body that is not declared `application/json` where JSON is expected.
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// Too many lookups of unknown session names from one address; retry after this many
    /// seconds (the `Retry-After` header says the same).
    #[error("too many unknown session names from your address; wait a moment")]
    TooManyLookups(u64),
    /// Too many open websockets from one address.
    #[error("too many connections from your address")]
    TooManyConnections,
    /// The response took longer than the request timeout (`--request-timeout-secs`).
    #[error("the server took too long to answer; try again")]
    Timeout,
    /// A blocking job panicked or was cancelled; the text says which ("export failed").
    #[error("{0}")]
    Internal(&'static str),
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            InvalidRequest(_) | InvalidOptions(_) | InvalidSlug(_) | InvalidTitle => {
                StatusCode::BAD_REQUEST
            }
            InvalidTimeZone(_) | Import(_) => StatusCode::BAD_REQUEST,
            RateLimited | TooManyConnections => StatusCode::TOO_MANY_REQUESTS,
            AdminPasswordRequired | KeyRequired => StatusCode::UNAUTHORIZED,
            InvalidAdminPassword | InvalidKey | OriginNotAllowed | CrossSite => {
                StatusCode::FORBIDDEN
            }
            MisdirectedRequest => StatusCode::MISDIRECTED_REQUEST,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            TooManyLookups(_) => StatusCode::TOO_MANY_REQUESTS,
            Create(CreateError::Taken) | Series(SeriesError::Session(CreateError::Taken)) => {
                StatusCode::CONFLICT
            }
            Create(CreateError::Invalid(_))
            | Series(SeriesError::Session(CreateError::Invalid(_))) => StatusCode::BAD_REQUEST,
            Create(CreateError::Storage(_))
            | Series(SeriesError::Session(CreateError::Storage(_)))
            | DeleteFailed
            | Unavailable
            | Timeout => StatusCode::SERVICE_UNAVAILABLE,
            Export(ExportError::Workbook(_)) | Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Export(_) => StatusCode::BAD_REQUEST,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            SessionNotFound | NotFound | SeriesNotFound | PromptNotFound(_) => {
                StatusCode::NOT_FOUND
            }
            Series(SeriesError::Taken | SeriesError::Full) => StatusCode::CONFLICT,
            Series(SeriesError::InvalidAgenda(_)) => StatusCode::BAD_REQUEST,
            Series(SeriesError::Storage(_)) => StatusCode::SERVICE_UNAVAILABLE,
            NotThemable => StatusCode::BAD_REQUEST,
        }
    }

    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            InvalidRequest(_) => "invalid_request",
            InvalidOptions(_) => "invalid_options",
            InvalidSlug(_) => "invalid_slug",
            InvalidTitle => "invalid_title",
            InvalidTimeZone(_) => "invalid_time_zone",
            RateLimited => "rate_limited",
            AdminPasswordRequired => "admin_password_required",
            InvalidAdminPassword => "invalid_admin_password",
            Create(CreateError::Taken) | Series(SeriesError::Session(CreateError::Taken)) => {
                "slug_taken"
            }
            Create(CreateError::Invalid(e))
            | Series(SeriesError::Session(CreateError::Invalid(e)))
            | Import(e) => e.code(),
            Create(CreateError::Storage(_))
            | Series(SeriesError::Session(CreateError::Storage(_)))
            | DeleteFailed => "storage_unavailable",
            Export(e) => e.code(),
            MethodNotAllowed => "method_not_allowed",
            TooLarge => "too_large",
            SessionNotFound => "session_not_found",
            NotFound => "not_found",
            SeriesNotFound => "series_not_found",
            Series(SeriesError::Taken) => "series_taken",
            Series(SeriesError::Full) => "series_full",
            Series(SeriesError::InvalidAgenda(_)) => "invalid_agenda",
            Series(SeriesError::Storage(_)) => "storage_unavailable",
            PromptNotFound(_) => "unknown_prompt",
            NotThemable => "not_themable",
            KeyRequired => "key_required",
            InvalidKey => "invalid_key",
            Unavailable => "unavailable",
            OriginNotAllowed => "origin_not_allowed",
            TooManyConnections => "too_many_connections",
            MisdirectedRequest => "misdirected_request",
            CrossSite => "cross_site",
            UnsupportedMediaType => "unsupported_media_type",
            TooManyLookups(_) => "too_many_lookups",
            Timeout => "timeout",
            Internal(_) => "internal",
        }
    }

    /// What the client reads: the error's text, except for a storage failure, whose detail
    /// stays in the log.
    fn message(&self) -> String {
        match self {
            ApiError::Create(CreateError::Storage(_))
            | ApiError::Series(SeriesError::Session(CreateError::Storage(_))) => {
                "the server could not store the session; try again".to_owned()
            }
            ApiError::Series(SeriesError::Storage(_)) => {
                "the server could not store the series; try again".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError::InvalidRequest(e.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::InvalidRequest(e.body_text())
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Create(CreateError::Storage(detail))
        | ApiError::Series(SeriesError::Session(CreateError::Storage(detail))) = &self
        {
            tracing::error!(%detail, "could not create session");
        }
        if let ApiError::Series(SeriesError::Storage(detail)) = &self {
            tracing::error!(%detail, "could not store a series");
        }
        let message = self.message();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: &message,
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let ApiError::TooManyLookups(seconds) = self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn errors_answer_with_their_status_code_and_message() {
        let cases = [
            (
                ApiError::RateLimited,
                429,
                "rate_limited",
                "too many attempts from your address; wait a minute and try again",
            ),
            (
                ApiError::Create(CreateError::Taken),
                409,
                "slug_taken",
                "a session with that name already exists",
            ),
            (
                ApiError::TooLarge,
                413,
                "too_large",
                "the file is larger than 20 MB",
            ),
            (
                ApiError::OriginNotAllowed,
                403,
                "origin_not_allowed",
                "websockets are only accepted from this server's own pages",
            ),
            (
                ApiError::TooManyConnections,
                429,
                "too_many_connections",
                "too many connections from your address",
            ),
            (
                ApiError::SessionNotFound,
                404,
                "session_not_found",
                "no such session",
            ),
            (
                ApiError::InvalidTitle,
                400,
                "invalid_title",
                "the title must be 1–200 characters",
            ),
        ];
        for (error, status, code, message) in cases {
            let (got_status, body) = body_of(error).await;
            assert_eq!(got_status.as_u16(), status);
            assert_eq!(
                body,
                serde_json::json!({"error": {"code": code, "message": message}})
            );
        }
    }

    #[tokio::test]
    async fn a_storage_failure_leaks_no_detail() {
        let (status, body) =
            body_of(ApiError::Create(CreateError::Storage("/data: EIO".into()))).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"]["code"], "storage_unavailable");
        assert_eq!(
            body["error"]["message"],
            "the server could not store the session; try again"
        );
    }
}
