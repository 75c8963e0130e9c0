//! Uploading documents from the desktop: a file of the wrong type or size is
//! refused before it is sent, with the rule the server applies too.

use super::*;

#[test]
fn the_desktop_checks_a_document_before_it_sends_it() {
    use jianban_protocol::documents::MAX_DOCUMENT_BYTES;
    let server = ServerProcess::demo();
    let mut unit = Desktop::new(&server.url(), "zjj-liaison");
    unit.sync_until_ok(2).unwrap();
    let client = unit.engine.client();

    let e = client
        .put_document("a006-zjj", b"MZ\x90\x00 an executable")
        .unwrap_err();
    assert_eq!(e.code(), "document.type");
    assert!(e.to_string().contains("只能上传"), "{e}");
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
    let e = client.put_document("a006-zjj", &big).unwrap_err();
    assert_eq!(e.code(), "document.too_large");

    let receipt = client
        .put_document("a006-zjj", b"%PDF-1.7\n% signed reply\n%%EOF\n")
        .unwrap();
    assert!(receipt.created);
    // Only the accepted file reached the server.
    let office = Desktop::new(&server.url(), "office1");
    let uploads: Vec<_> = server_actions_by(&office, "zjj-liaison")
        .into_iter()
        .filter(|l| l.action == "upload_document")
        .collect();
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!(uploads[0].detail["kind"], "pdf");
}
