from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "doconnect.offers"

    def ready(self) -> None:
        from doconnect.core.changes import watch
        from doconnect.core.models import District, Organisation, TargetGroup
        from doconnect.offers.models import FollowOn, Offer
        from doconnect.people.models import Spell
        from doconnect.referrals.models import Referral

        # The provider list's rows and the pathways page's analysis are kept while these
        # tables are unchanged (places_selectors.provider_rows, pathways.selectors).
        watch(Organisation, District, TargetGroup, Offer, Offer.target_groups.through)
        watch(FollowOn, Spell, Referral)
