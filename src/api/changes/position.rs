//! Positions in the change feed, as cursors: where a consumer is, and on which database
//! cluster and timeline that place was issued.

use base64::Engine;

use crate::error::{ApiError, Result};

/// A place in the feed: the `(xid, id)` of a change (`0:0` is the start) and the database
/// cluster and timeline that issued it. Cursors issued before positions named their origin
/// have none, and are taken as they are.
pub(super) struct Position {
    pub xid: u64,
    pub id: i64,
    pub origin: Option<(String, i32)>,
}

pub(super) fn encode_position(xid: &str, id: i64, (system, timeline): &(String, i32)) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{xid}:{id}:{system}:{timeline}"))
}

pub(super) fn decode_position(cursor: &str) -> Result<Position> {
    let invalid = || ApiError::invalid_field("#/query/after", "is not a position this feed issued");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let parts: Vec<&str> = text.split(':').collect();
    let (xid, id, origin) = match parts[..] {
        [xid, id] => (xid, id, None),
        [xid, id, system, timeline] => {
            if system.is_empty() || !system.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            let timeline = timeline.parse().map_err(|_| invalid())?;
            (xid, id, Some((system.to_owned(), timeline)))
        }
        _ => return Err(invalid()),
    };
    Ok(Position {
        xid: xid.parse().map_err(|_| invalid())?,
        id: id.parse().map_err(|_| invalid())?,
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
    pub fn check_origin(&self, (system, timeline): &(String, i32)) -> Result<()> {
        let Some((issued_system, issued_timeline)) = &self.origin else {
            return Ok(());
        };
        if self.is_start() {
            return Ok(());
        }
        let again =
            "Read the feed again from the start (without `after`), replacing what you kept.";
        if issued_system != system {
            return Err(ApiError::Gone(format!(
                "this position comes from another database (system {issued_system}, this is {system}). {again}"
            )));
        }
        match issued_timeline.cmp(timeline) {
            std::cmp::Ordering::Equal => Ok(()),
            std::cmp::Ordering::Less => Err(ApiError::Gone(format!(
                "this position comes from timeline {issued_timeline} of the database, which has since \
                 failed over to timeline {timeline}: changes after it may have been lost or numbered \
                 again. {again}"
            ))),
            std::cmp::Ordering::Greater => Err(ApiError::Unavailable(format!(
                "this server has not yet followed the database to timeline {issued_timeline}; retry shortly"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(timeline: i32) -> (String, i32) {
        ("7713698009524083979".to_owned(), timeline)
    }

    #[test]
    fn positions_round_trip_with_where_they_were_issued() {
        let position = decode_position(&encode_position("12345", 67, &origin(1)))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((position.xid, position.id), (12345, 67));
        assert_eq!(position.origin, Some(origin(1)));
        assert!(decode_position("!!").is_err());
        assert!(decode_position(&encode_position("x", 1, &origin(1))).is_err());
        let no_system = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("1:2::1");
        assert!(decode_position(&no_system).is_err());
        // Cursors issued before positions named their origin are still taken.
        let legacy = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("12345:67");
        let position = decode_position(&legacy).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (position.xid, position.id, position.origin),
            (12345, 67, None)
        );
    }

    #[test]
    fn a_position_from_an_earlier_timeline_or_another_database_is_gone() {
        let position = |timeline| Position {
            xid: 10,
            id: 3,
            origin: Some(origin(timeline)),
        };
        assert!(position(2).check_origin(&origin(2)).is_ok());
        assert!(matches!(
            position(1).check_origin(&origin(2)),
            Err(ApiError::Gone(_))
        ));
        // A server not yet on the position's timeline: later, not never.
        assert!(matches!(
            position(3).check_origin(&origin(2)),
            Err(ApiError::Unavailable(_))
        ));
        let elsewhere = ("42".to_owned(), 2);
        assert!(matches!(
            position(2).check_origin(&elsewhere),
            Err(ApiError::Gone(_))
        ));
        // The start is the start anywhere; a position without origin is taken as it is.
        let start = Position {
            xid: 0,
            id: 0,
            origin: Some(origin(1)),
        };
        assert!(start.check_origin(&origin(2)).is_ok());
        let legacy = Position {
            xid: 10,
            id: 3,
            origin: None,
        };
        assert!(legacy.check_origin(&elsewhere).is_ok());
    }
}
