//! Upgrade requests, which actix-http hands over with their socket.
//!
//! actix-http gives every request asking for a WebSocket (`Upgrade: websocket`, and any
//! CONNECT) to this service instead of the app, together with the connection; one with a
//! chunked body goes to the app as usual, and its live endpoints refuse it
//! ([`HandedOver`]). The request still goes through the app, on a second instance of it
//! per worker: its middleware, routing, authorisation and errors are the same as for any
//! request. What the app answers is written here: a live endpoint's 101 carries its
//! listener (`ws::Handover`), which then runs on the socket until either side ends it;
//! any other answer is written whole and the connection closed.
//!
//! Why: a listener left inside actix-http's connection task had every frame copied into
//! the connection's write buffer, which kept the size it grew to (12–16 KiB a listener,
//! even with the chunks kept small). On its own socket a listener writes from a buffer
//! it lets go of once written: at 10,000 listeners the server took 275–297 MB instead
//! of 416–431 (docs/performance.md; with frames written straight from their copies at
//! first, 276–313 MB and up to 0.10 of a core less).

use std::future::poll_fn;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use actix_codec::Framed;
use actix_http::body::{BodySize, MessageBody};
use actix_http::{h1, ConnectionType, HttpMessage, Request};
use actix_web::dev::{fn_factory, fn_service, AppConfig, Service, ServiceFactory, ServiceResponse};
use actix_web::rt::net::TcpStream;
use actix_web::HttpResponse;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::ws::Handover;

type Connection = Framed<TcpStream, h1::Codec>;

/// The upgrade service of each worker, over its own instance of the app `make_app`
/// builds.
pub fn factory<F, A, B>(
    make_app: F,
) -> impl ServiceFactory<
    (Request, Connection),
    Config = (),
    Response = (),
    Error = actix_web::Error,
    InitError = (),
>
where
    F: Fn() -> A + Clone + 'static,
    A: actix_web::dev::ServiceFactory<
            Request,
            Config = AppConfig,
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    fn_factory(move || {
        let make_app = make_app.clone();
        async move {
            // As for the main instance (see app.rs).
            let app = Rc::new(make_app().new_service(AppConfig::default()).await?);
            Ok(fn_service(move |(req, io): (Request, Connection)| {
                let app = app.clone();
                async move {
                    serve(&*app, req, io).await;
                    Ok::<_, actix_web::Error>(())
                }
            }))
        }
    })
}

/// Marks a request that came through here: only such a request can be answered with a
/// listener (an upgrade request that actix-http did not hand over, one with a chunked
/// body, would get a 101 that nothing serves).
pub struct HandedOver;

async fn serve<S, B>(app: &S, req: Request, mut io: Connection)
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    req.extensions_mut().insert(HandedOver);
    let response = match app.call(req).await {
        Ok(res) => res.into_parts().1.map_into_boxed_body(),
        Err(e) => HttpResponse::from_error(e),
    };
    let listener = response
        .extensions()
        .get::<Handover>()
        .and_then(Handover::take);
    let (head, body) = response.into_parts();
    let written = match listener {
        Some(mut listener) => {
            let sent = send(&mut io, head.into(), BodySize::None, None).await;
            if sent.is_ok() {
                let parts = io.into_parts();
                let mut socket = parts.io;
                // What the client sent after its request is already its first frames.
                listener.received(&parts.read_buf);
                poll_fn(|cx| listener.drive(&mut socket, cx)).await;
                drop(listener);
                // The client answers a close frame with its own: read, not reset.
                close_gently(socket).await;
            }
            sent
        }
        None => match actix_web::body::to_bytes(body).await {
            Ok(bytes) => {
                let size = BodySize::Sized(bytes.len() as u64);
                // Not an upgrade after all: say that the connection ends with it.
                let mut head: actix_http::Response<()> = head.into();
                head.head_mut().set_connection_type(ConnectionType::Close);
                let sent = send(&mut io, head, size, Some(bytes)).await;
                close_gently(io.into_parts().io).await;
                sent
            }
            // A body that fails part-way cannot be answered with its head: the
            // connection closes, as actix-http closes it.
            Err(_) => Ok(()),
        },
    };
    if let Err(e) = written {
        tracing::debug!(error = %e, "an upgrade request's answer could not be written");
    }
}

/// Closes after an answer or a close frame without losing it: what the client sent that
/// was not read (a body, early frames, a pong, its own close frame) would make the
/// kernel reset the connection, and a reset can discard the answer before the client
/// reads it. So the server says it has finished, and reads what the client still sends
/// until it closes too, for a second at most.
async fn close_gently(mut socket: TcpStream) {
    if socket.shutdown().await.is_err() {
        return;
    }
    let mut sink = [0u8; 1024];
    let drain = async {
        while let Ok(n) = socket.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

/// Writes an answer's head, and its body if any, and flushes.
async fn send(
    io: &mut Connection,
    head: actix_http::Response<()>,
    size: BodySize,
    body: Option<bytes::Bytes>,
) -> std::io::Result<()> {
    let mut io = Pin::new(io);
    io.as_mut().write(h1::Message::Item((head, size)))?;
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        io.as_mut().write(h1::Message::Chunk(Some(body)))?;
    }
    io.as_mut().write(h1::Message::Chunk(None))?;
    poll_fn(|cx| {
        io.as_mut()
            .flush::<h1::Message<(actix_http::Response<()>, BodySize)>>(cx)
    })
    .await
}
