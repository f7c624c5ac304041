//! The WebSocket wire format of what the server sends. A frame from the server is not
//! masked, so its bytes are the same for every listener: events are encoded once per
//! audience by the publisher, and each listener copies those bytes into its own buffer.

use actix_http::ws::{CloseCode, CloseReason, OpCode, Parser};
use bytes::{Bytes, BytesMut};

fn frame(op: OpCode, payload: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(payload.len() + 10);
    Parser::write_message(&mut out, payload, op, true, false);
    out.freeze()
}

pub fn text(text: &str) -> Bytes {
    frame(OpCode::Text, text.as_bytes())
}

/// A text frame appended to a listener's buffer.
pub fn text_into(out: &mut BytesMut, text: &str) {
    Parser::write_message(out, text.as_bytes(), OpCode::Text, true, false);
}

pub fn ping() -> Bytes {
    frame(OpCode::Ping, b"indaba")
}

/// Control payloads are at most 125 bytes; a longer ping is answered with its start.
pub fn pong(payload: &[u8]) -> Bytes {
    frame(OpCode::Pong, &payload[..payload.len().min(125)])
}

pub fn close(code: CloseCode, reason: &str) -> Bytes {
    // The reason may hold 123 bytes: cut at a character boundary below that.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = BytesMut::with_capacity(end + 4);
    Parser::write_close(
        &mut out,
        Some(CloseReason {
            code,
            description: Some(reason[..end].to_owned()),
        }),
        false,
    );
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_back() {
        let mut buf = BytesMut::from(&text("{\"seq\":1}")[..]);
        let (fin, op, payload) = Parser::parse(&mut buf, false, 1 << 16).unwrap().unwrap();
        assert!(fin);
        assert_eq!(op, OpCode::Text);
        assert_eq!(&payload.unwrap()[..], b"{\"seq\":1}");

        let long = "é".repeat(100);
        let mut buf = BytesMut::from(&close(CloseCode::Again, &long)[..]);
        let (_, op, payload) = Parser::parse(&mut buf, false, 1 << 16).unwrap().unwrap();
        assert_eq!(op, OpCode::Close);
        let reason = Parser::try_parse_close_payload(&payload.unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(reason.code, CloseCode::Again);
        assert_eq!(reason.description.unwrap().len(), 122);
    }
}
