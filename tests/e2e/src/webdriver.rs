//! A minimal W3C WebDriver client: just what the smoke test needs.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};

/// The W3C key under which an element reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Takes the `value` of a WebDriver reply, or its error.
pub fn reply_value(status: u16, mut body: Value) -> Result<Value> {
    let value = body
        .get_mut("value")
        .map(Value::take)
        .unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(value);
    }
    let error = value
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("unknown error");
    let message = value.get("message").and_then(Value::as_str).unwrap_or("");
    Err(Error(format!("WebDriver {status} {error}: {message}")))
}

/// The element ids in a `find elements` reply.
pub fn element_ids(value: &Value) -> Result<Vec<String>> {
    let list = value
        .as_array()
        .ok_or_else(|| Error(format!("expected a list of elements, got {value}")))?;
    list.iter()
        .map(|e| {
            e.get(ELEMENT_KEY)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| Error(format!("not an element reference: {e}")))
        })
        .collect()
}

pub struct WebDriver {
    base: String,
    agent: ureq::Agent,
}

impl WebDriver {
    pub fn new(port: u16) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Creating a session starts the app; allow it time on a slow machine.
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Self {
            base: format!("http://127.0.0.1:{port}"),
            agent,
        }
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}{}", self.base, path);
        let reply = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self
                .agent
                .post(&url)
                .send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut reply = reply.map_err(|e| Error(format!("{method} {path}: {e}")))?;
        let status = reply.status().as_u16();
        let body: Value = reply
            .body_mut()
            .read_json()
            .map_err(|e| Error(format!("{method} {path}: reply is not JSON: {e}")))?;
        reply_value(status, body)
    }

    /// Whether the driver answers at all (it is listening).
    pub fn is_up(&self) -> bool {
        self.agent
            .get(format!("{}/status", self.base))
            .call()
            .is_ok()
    }

    pub fn new_session(&self, capabilities: Value) -> Result<Session<'_>> {
        let value = self.send(
            "POST",
            "/session",
            Some(json!({ "capabilities": { "alwaysMatch": capabilities } })),
        )?;
        let id = value
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| Error(format!("no sessionId in {value}")))?
            .to_owned();
        Ok(Session {
            driver: self,
            id,
            open: true,
        })
    }
}

/// A WebDriver session; dropping it closes the session (and the app).
pub struct Session<'a> {
    driver: &'a WebDriver,
    id: String,
    open: bool,
}

impl Session<'_> {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        self.driver
            .send(method, &format!("/session/{}{}", self.id, path), body)
    }

    pub fn title(&self) -> Result<String> {
        let v = self.call("GET", "/title", None)?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    fn find(&self, using: &str, value: &str) -> Result<Vec<String>> {
        let v = self.call(
            "POST",
            "/elements",
            Some(json!({ "using": using, "value": value })),
        )?;
        element_ids(&v)
    }

    pub fn find_css(&self, selector: &str) -> Result<Vec<String>> {
        self.find("css selector", selector)
    }

    pub fn find_xpath(&self, xpath: &str) -> Result<Vec<String>> {
        self.find("xpath", xpath)
    }

    pub fn text(&self, element: &str) -> Result<String> {
        let v = self.call("GET", &format!("/element/{element}/text"), None)?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// A DOM property, e.g. `textContent` (the text whether or not WebDriver
    /// deems it visible: it treats ellipsised cells as hidden).
    pub fn property(&self, element: &str, name: &str) -> Result<Value> {
        self.call("GET", &format!("/element/{element}/property/{name}"), None)
    }

    pub fn attribute(&self, element: &str, name: &str) -> Result<Option<String>> {
        let v = self.call("GET", &format!("/element/{element}/attribute/{name}"), None)?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// Runs a script in the page and returns what it returns.
    pub fn execute(&self, script: &str) -> Result<Value> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Runs an asynchronous script: it gets a callback as its last argument
    /// and the session returns what the script passes to it.
    pub fn execute_async(&self, script: &str) -> Result<Value> {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    pub fn click(&self, element: &str) -> Result<()> {
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .map(|_| ())
    }

    /// Types `text` into the element (focusing it first), as a person would:
    /// one key event per character.
    pub fn send_keys(&self, element: &str, text: &str) -> Result<()> {
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        )
        .map(|_| ())
    }

    pub fn clear(&self, element: &str) -> Result<()> {
        self.call(
            "POST",
            &format!("/element/{element}/clear"),
            Some(json!({})),
        )
        .map(|_| ())
    }

    /// Key chords through the actions API, e.g. `&["\u{E009}", "s"]` for
    /// Ctrl+S: every key is pressed in order, then released in reverse.
    pub fn chord(&self, keys: &[&str]) -> Result<()> {
        let mut actions: Vec<Value> = keys
            .iter()
            .map(|k| json!({ "type": "keyDown", "value": k }))
            .collect();
        actions.extend(
            keys.iter()
                .rev()
                .map(|k| json!({ "type": "keyUp", "value": k })),
        );
        self.call(
            "POST",
            "/actions",
            Some(json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] })),
        )
        .map(|_| ())
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        let v = self.call("GET", "/screenshot", None)?;
        let b64 = v
            .as_str()
            .ok_or_else(|| Error("screenshot reply is not a string".into()))?;
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| Error(format!("screenshot is not base64: {e}")))
    }

    pub fn close(mut self) -> Result<()> {
        self.open = false;
        self.call("DELETE", "", None).map(|_| ())
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.call("DELETE", "", None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_reply_gives_its_value() {
        let v = reply_value(200, json!({"value": {"sessionId": "abc"}})).unwrap();
        assert_eq!(v["sessionId"], "abc");
    }

    #[test]
    fn an_error_reply_names_the_error() {
        let e = reply_value(
            404,
            json!({"value": {"error": "no such element", "message": "nothing matched"}}),
        )
        .unwrap_err();
        assert_eq!(e.0, "WebDriver 404 no such element: nothing matched");
    }

    #[test]
    fn element_ids_are_read_from_the_w3c_key() {
        let ids = element_ids(&json!([{ELEMENT_KEY: "e1"}, {ELEMENT_KEY: "e2"}])).unwrap();
        assert_eq!(ids, ["e1", "e2"]);
        assert!(element_ids(&json!([{"ELEMENT": "legacy"}])).is_err());
        assert!(element_ids(&json!({})).is_err());
    }
}
