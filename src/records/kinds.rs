//! The one place that turns a kind of record ([`Resource`]) into its type: what every kind
//! does alike (import, export, the change log of a merge) is written once, generic over
//! [`Record`], and reaches each kind through [`for_kind`].

use crate::domain::Resource;

use super::Record;
use super::actors::Actor;
use super::citations::Citation;
use super::interactions::Interaction;
use super::roles::Role;
use super::statements::Statement;
use super::visits::Visit;

/// Something done alike for every kind of record.
#[allow(async_fn_in_trait)]
pub trait ForKind {
    type Output;
    async fn apply<R: Record>(self) -> Self::Output;
}

/// Does `work` for the type of record `kind` names.
pub async fn for_kind<F: ForKind>(kind: Resource, work: F) -> F::Output {
    match kind {
        Resource::Actor => work.apply::<Actor>().await,
        Resource::Role => work.apply::<Role>().await,
        Resource::Citation => work.apply::<Citation>().await,
        Resource::Visit => work.apply::<Visit>().await,
        Resource::Statement => work.apply::<Statement>().await,
        Resource::Interaction => work.apply::<Interaction>().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Named;

    impl ForKind for Named {
        type Output = Resource;
        async fn apply<R: Record>(self) -> Resource {
            R::RESOURCE
        }
    }

    #[tokio::test]
    async fn each_kind_reaches_its_own_type() {
        for kind in Resource::ALL {
            assert_eq!(for_kind(kind, Named).await, kind);
        }
    }
}
