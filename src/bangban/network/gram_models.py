"""The grams (`kernel.search`, decision 0062) the linkage directory finds points and people by: a
point's name, a user's first and last names (decision 0069). Part of the network's models
(`network.models` imports them from here); this module imports nothing of `models`, so the two
never import each other.

The rows are written by `network.grams` (`index_points`, `index_users`) in the transaction of
every write of a point's name or a user's names.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.kernel.search import Gram, gram_candidates, grams, grams_suffice


def point_grams(name: str) -> set[str]:
    """The grams a point is found by: those of its name."""
    return grams(name)


def user_grams(first_name: str, last_name: str) -> set[str]:
    """The grams a person is found by: those of the first name and of the last name, each on its
    own (a pair never spans the two, as the directory tests each name apart)."""
    return grams(first_name, last_name)


class PointGram(Gram):
    """One gram of a point's name (`point_grams`), active or not."""

    point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("服务点"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique (point, gram) serves finding a point's grams
    )

    class Meta:
        verbose_name = _("服务点检索片段")
        verbose_name_plural = _("服务点检索片段")
        constraints = [
            models.UniqueConstraint(fields=["point", "gram"], name="point_gram_unique"),
        ]
        indexes = [models.Index(fields=["gram", "point"], name="point_gram_lookup")]


class UserGram(Gram):
    """One gram of a user's first or last name (`user_grams`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique (user, gram) serves finding a user's grams
    )

    class Meta:
        verbose_name = _("用户检索片段")
        verbose_name_plural = _("用户检索片段")
        constraints = [
            models.UniqueConstraint(fields=["user", "gram"], name="user_gram_unique"),
        ]
        indexes = [models.Index(fields=["gram", "user"], name="user_gram_lookup")]


def users_named(text: str) -> models.QuerySet:
    """The ids (`values("pk")`, for `user__in=`) of the users whose first or last name contains
    `text` (`first_name__contains`, `last_name__contains`, exactly), read through their grams:
    the candidates holding the text's rarest gram, tested for the substring (one or two Chinese
    characters need no test), or, when every gram of the text is common, the substring test alone.
    One query to choose, when called. An empty text: every user."""
    User = get_user_model()
    if not text:
        return User.objects.values("pk")
    candidates = gram_candidates(UserGram.objects.all(), text, "user_id")
    named = Q(first_name__contains=text) | Q(last_name__contains=text)
    if candidates is None:  # every gram held by most users: a scan serves best
        return User.objects.filter(named).values("pk")
    if grams_suffice(text):
        return candidates
    return User.objects.filter(named, pk__in=candidates).values("pk")
