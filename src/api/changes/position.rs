//! Positions in the change feed, as cursors: where a consumer is, and on which database
//! cluster and timeline that place was issued. Sealed (see `cursors`): a cursor shows none
//! of them, and one the service did not issue is refused unread.

use base64::Engine;

use crate::error::{ApiError, Result};

use super::super::cursors;

/// Which database cluster (its system identifier) and timeline a server is on.
pub(super) type Origin = (i64, i32);

/// A place in the feed: the `(xid, id)` of a change (`0:0` is the start) and the database
/// cluster and timeline that issued it. Cursors issued before positions named their origin
/// have none, and are taken as they are.
#[derive(Debug)]
pub(super) struct Position {
    pub xid: u64,
    pub id: i64,
    pub origin: Option<Origin>,
}

/// How a position stands with a server's origin.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Standing {
    /// The server can continue after it.
    Here,
    /// It was issued on a later timeline than the server's: only a server on that timeline
    /// can continue after it, if there is one.
    Later(i32),
}

/// The sealed form: xid, id, system identifier and timeline, big-endian.
const SEALED: usize = 8 + 8 + 8 + 4;

pub(super) fn invalid() -> ApiError {
    ApiError::invalid_field(
        "#/query/after",
        "is not a position this feed issued (or was altered); pass a `next_cursor` or a \
         change's `cursor` as it was given, or read from the start without `after`",
    )
}

pub(super) fn encode_position(xid: u64, id: i64, (system, timeline): Origin) -> Result<String> {
    let mut plain = Vec::with_capacity(SEALED);
    plain.extend_from_slice(&xid.to_be_bytes());
    plain.extend_from_slice(&id.to_be_bytes());
    plain.extend_from_slice(&system.to_be_bytes());
    plain.extend_from_slice(&timeline.to_be_bytes());
    Ok(cursors::key()?.seal(&plain))
}

/// A position from a cursor: a sealed one, or for a transition one of the earlier
/// releases' (`xid:id`, then `xid:id:system:timeline`, in base64), which still has to name
/// a change in the log and a timeline the database has been on.
pub(super) fn decode_position(cursor: &str) -> Result<Position> {
    if let Some(plain) = cursors::key()?.open(cursor) {
        if plain.len() != SEALED {
            return Err(invalid());
        }
        let field = |at: usize| -> [u8; 8] {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(&plain[at..at + 8]);
            bytes
        };
        let mut timeline = [0; 4];
        timeline.copy_from_slice(&plain[24..]);
        return Ok(Position {
            xid: u64::from_be_bytes(field(0)),
            id: i64::from_be_bytes(field(8)),
            origin: Some((i64::from_be_bytes(field(16)), i32::from_be_bytes(timeline))),
        });
    }
    earlier_release(cursor).ok_or_else(invalid)
}

fn earlier_release(cursor: &str) -> Option<Position> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let parts: Vec<&str> = text.split(':').collect();
    let (xid, id, origin) = match parts[..] {
        [xid, id] => (xid, id, None),
        [xid, id, system, timeline] => {
            let system = system.parse::<u64>().ok()?;
            (xid, id, Some((system as i64, timeline.parse().ok()?)))
        }
        _ => return None,
    };
    Some(Position {
        xid: xid.parse().ok()?,
        id: id.parse().ok()?,
        origin,
    })
}

impl Position {
    pub fn is_start(&self) -> bool {
        (self.xid, self.id) == (0, 0)
    }

    /// Whether the server on `origin` can continue after this position. After a failover the
    /// new timeline may have lost the old one's last changes and numbered new ones the same:
    /// continuing could skip changes, so the consumer is told to start again (410).
    pub fn check_origin(&self, (system, timeline): Origin) -> Result<Standing> {
        let Some((issued_system, issued_timeline)) = self.origin else {
            return Ok(Standing::Here);
        };
        if self.is_start() {
            return Ok(Standing::Here);
        }
        let again =
            "Read the feed again from the start (without `after`), replacing what you kept.";
        if issued_system != system {
            return Err(ApiError::Gone(format!(
                "this position comes from another database. {again}"
            )));
        }
        match issued_timeline.cmp(&timeline) {
            std::cmp::Ordering::Equal => Ok(Standing::Here),
            std::cmp::Ordering::Less => Err(ApiError::Gone(format!(
                "this position comes from timeline {issued_timeline} of the database, which has since \
                 failed over to timeline {timeline}: changes after it may have been lost or numbered \
                 again. {again}"
            ))),
            std::cmp::Ordering::Greater => Ok(Standing::Later(issued_timeline)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::api::cursors::{CursorKey, with_key};

    const SYSTEM: i64 = 7713698009524083979;

    fn origin(timeline: i32) -> Origin {
        (SYSTEM, timeline)
    }

    fn sealed<T>(f: impl FnOnce() -> T) -> T {
        with_key(&Arc::new(CursorKey::new(b"test")), f)
    }

    #[test]
    fn positions_round_trip_sealed_with_where_they_were_issued() {
        sealed(|| {
            let cursor = encode_position(12345, 67, origin(1)).unwrap_or_default();
            let position = decode_position(&cursor).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((position.xid, position.id), (12345, 67));
            assert_eq!(position.origin, Some(origin(1)));
            // Nothing of it shows.
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(&cursor)
                .unwrap_or_default();
            let shown = String::from_utf8_lossy(&bytes);
            for hidden in ["12345", "7713698009524083979"] {
                assert!(!shown.contains(hidden), "{shown}");
            }
            assert!(!bytes.windows(8).any(|w| w == SYSTEM.to_be_bytes()));
            assert!(decode_position("!!").is_err());
            let no_system = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("1:2::1");
            assert!(decode_position(&no_system).is_err());
            // Cursors issued by earlier releases are still taken, for a transition.
            for (text, origin) in [("12345:67", None), ("12345:67:42:1", Some((42, 1)))] {
                let earlier = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
                let position = decode_position(&earlier).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(
                    (position.xid, position.id, position.origin),
                    (12345, 67, origin)
                );
            }
        });
        // Sealed with another key: not issued here.
        let elsewhere = with_key(&Arc::new(CursorKey::new(b"other")), || {
            encode_position(1, 1, origin(1)).unwrap_or_default()
        });
        sealed(|| assert!(decode_position(&elsewhere).is_err()));
    }

    #[test]
    fn a_position_from_an_earlier_timeline_or_another_database_is_gone() {
        let position = |timeline| Position {
            xid: 10,
            id: 3,
            origin: Some(origin(timeline)),
        };
        assert!(matches!(
            position(2).check_origin(origin(2)),
            Ok(Standing::Here)
        ));
        assert!(matches!(
            position(1).check_origin(origin(2)),
            Err(ApiError::Gone(_))
        ));
        // A server not yet on the position's timeline: the primary may be.
        assert!(matches!(
            position(3).check_origin(origin(2)),
            Ok(Standing::Later(3))
        ));
        let elsewhere = (42, 2);
        assert!(matches!(
            position(2).check_origin(elsewhere),
            Err(ApiError::Gone(detail)) if !detail.contains("42") && !detail.contains("771369")
        ));
        // The start is the start anywhere; a position without origin is taken as it is.
        let start = Position {
            xid: 0,
            id: 0,
            origin: Some(origin(1)),
        };
        assert!(matches!(start.check_origin(origin(2)), Ok(Standing::Here)));
        let legacy = Position {
            xid: 10,
            id: 3,
            origin: None,
        };
        assert!(matches!(legacy.check_origin(elsewhere), Ok(Standing::Here)));
    }
}
