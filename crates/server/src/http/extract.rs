//! Request extractors that answer every refusal as `{code, message}`:
//! bodies (size, UTF-8, JSON, unknown fields), query strings, paths and the
//! bearer token.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use bytes::BytesMut;
use jianban_protocol::MAX_JSON_BODY;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::http::AppState;
use crate::service::Caller;

fn body_error(status: StatusCode) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge {
            code: "request.too_large",
            message: "请求内容过大，超出服务器限制。请分批上传或压缩文件后重试；未做任何处理。"
                .into(),
        }
    } else {
        ApiError::bad_request("request.unreadable_body", "无法读取请求内容，请重试。")
    }
}

/// Past the limit, the rest of a body is still read (and dropped) up to
/// this much, so the client finishes sending and reads a clean 413 instead
/// of a reset connection; beyond it the connection is simply closed.
const DRAIN_CAP: usize = 64 * 1024 * 1024;

/// Bodies of the routes anyone may call (login, refresh): a user name, a
/// password and a device, or a refresh token, take a few hundred bytes.
/// Before anyone is authenticated the server keeps no more than this (413
/// past it) and drains at most [`AUTH_DRAIN_CAP`] more for a clean answer.
pub const MAX_AUTH_BODY: usize = 16 * 1024;
const AUTH_DRAIN_CAP: usize = 1024 * 1024;

/// Reads at most `limit` bytes of a body; past that, reads and drops up to
/// `drain_cap` in all, then answers 413.
async fn read_body(req: Request, limit: usize, drain_cap: usize) -> Result<Bytes, ApiError> {
    use http_body_util::BodyExt;
    let mut body = req.into_body();
    let mut buf = BytesMut::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| body_error(StatusCode::BAD_REQUEST))?;
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen <= limit {
                buf.extend_from_slice(&data);
            } else if seen > drain_cap {
                break;
            }
        }
    }
    if seen > limit {
        return Err(body_error(StatusCode::PAYLOAD_TOO_LARGE));
    }
    Ok(buf.freeze())
}

/// The raw body, at most `LIMIT` bytes.
pub struct RawBody<const LIMIT: usize>(pub Bytes);

impl<const LIMIT: usize, S: Send + Sync> FromRequest<S> for RawBody<LIMIT> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        read_body(req, LIMIT, DRAIN_CAP).await.map(RawBody)
    }
}

/// A JSON body of a route called before authentication, at most
/// [`MAX_AUTH_BODY`] bytes.
pub struct AuthJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AuthJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let bytes = read_body(req, MAX_AUTH_BODY, AUTH_DRAIN_CAP).await?;
        parse_json(&bytes).map(AuthJson)
    }
}

/// An office caller, checked from the headers before the body is read: a
/// unit user's upload to an office route is refused (403) without the
/// server taking its megabytes. (The service checks the role again.)
pub struct OfficeCaller(pub Caller);

impl FromRequestParts<AppState> for OfficeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        crate::service::office::require_office(&caller.actor)?;
        Ok(OfficeCaller(caller))
    }
}

/// A JSON body: UTF-8, well-formed, and no field the type does not know.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let RawBody::<MAX_JSON_BODY>(bytes) = RawBody::from_request(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(ApiError::bad_request(
            "request.invalid_utf8",
            "请求内容不是有效的UTF-8文本，请检查客户端编码后重试。",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        if text.contains("unknown field") {
            ApiError::bad_request(
                "request.unknown_field",
                format!("请求中含有服务器不认识的字段（{text}）。请升级建办或检查请求内容。"),
            )
        } else if e.is_data() {
            ApiError::bad_request(
                "request.invalid_field",
                format!("请求字段有误（{text}），请检查后重试。"),
            )
        } else {
            ApiError::bad_request(
                "request.malformed_json",
                format!("请求内容不是有效的JSON（{text}），请检查后重试。"),
            )
        }
    })
}

/// A query string, strictly typed.
pub struct Q<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Q(q.0))
            .map_err(|e| {
                ApiError::bad_request(
                    "request.bad_query",
                    format!("查询参数有误：{}。请检查后重试。", e.body_text()),
                )
            })
    }
}

/// Path parameters.
pub struct P<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for P<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| P(p.0))
            .map_err(|e| {
                ApiError::bad_request("request.bad_path", format!("地址有误：{}。", e.body_text()))
            })
    }
}

/// The bearer token of the `Authorization` header.
pub fn bearer_token(parts: &Parts) -> Result<String, ApiError> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .ok_or(ApiError::Unauthenticated {
            code: "auth.missing_token",
        })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts)?;
        // The check reads the database (a disabled account or revoked
        // device stops at once): on the blocking pool, like every query.
        let caller = state.run(move |svc| svc.authenticate(&token)).await?;
        tracing::Span::current().record("user", caller.actor.user.as_str());
        Ok(caller)
    }
}
