//! What the SQL layer reports: which rule of the schema a write broke (by constraint name),
//! or that the database failed. The layers above say what that means to a client.

use uuid::Uuid;

use crate::domain::Resource;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write broke a constraint of the schema: a unique value taken, a reference to a row
    /// that does not exist (or a delete of one still referred to), a check.
    #[error("the write violates the constraint `{constraint}`")]
    Violation {
        constraint: String,
        #[source]
        error: sqlx::Error,
    },
    /// The database failed or refused for any other reason.
    #[error(transparent)]
    Database(sqlx::Error),
    /// A new record's id was taken by another record meanwhile (the table is named).
    #[error("a record of `{0}` with this id was written meanwhile")]
    Taken(&'static str),
    /// A value could not be encoded for the database.
    #[error("a value could not be stored: {0}")]
    Encoding(#[from] serde_json::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        let constraint = match &error {
            sqlx::Error::Database(db) => db.constraint().map(str::to_owned),
            _ => None,
        };
        match constraint {
            Some(constraint) => Self::Violation { constraint, error },
            None => Self::Database(error),
        }
    }
}

impl StoreError {
    /// The constraint the write violated, if that is what went wrong.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            Self::Violation { constraint, .. } => Some(constraint),
            _ => None,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A row that refers to another: what stands in the way of deleting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    pub resource: Resource,
    pub id: Uuid,
    /// For a role, the actor who holds it.
    pub holder: Option<Uuid>,
}
