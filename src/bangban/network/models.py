"""The three-level service network: regions, departments, domains, partners, service points, and
who acts where (memberships).

What one row can say is held by database constraints; rules across rows (a village station sits under
its own town's centre, no cycles) are checked in `actions.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.kernel.models import optional_link
from bangban.kernel.search import gram_candidates, grams_suffice

from .equipment_models import (  # noqa: F401 (the network's models, kept in their own module)
    AddDays,
    Equipment,
    EquipmentCheck,
    EquipmentKind,
    EquipmentQuerySet,
    _count_subquery,
)
from .gram_models import (  # noqa: F401 (the directory's grams, kept in their own module)
    PointGram,
    UserGram,
    point_grams,
    user_grams,
    users_named,
)

CODE_LENGTHS = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}


def _code_length_condition() -> Q:
    condition = Q()
    for level, length in CODE_LENGTHS.items():
        condition |= Q(Q(level=level), Exact(Length("code"), length))
    return condition


class Region(models.Model):
    """An administrative division (统计用区划), named by its National Bureau of Statistics code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（区）")
        TOWN = "town", _("镇（街道）")
        VILLAGE = "village", _("村（社区）")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = optional_link("self", _("上级区划"), related_name="children")
    active = models.BooleanField(_("有效"), default=True)
    is_virtual = models.BooleanField(_("虚拟社区"), default=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]
        constraints = [
            models.CheckConstraint(
                name="region_code_length_matches_level",
                condition=_code_length_condition(),
            ),
            models.CheckConstraint(
                name="region_province_has_no_parent",
                condition=~Q(level="province") | Q(parent__isnull=True),
            ),
            models.CheckConstraint(
                name="region_town_and_village_have_parent",
                condition=~Q(level__in=["town", "village"]) | Q(parent__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def code_range(self) -> tuple[str, str]:
        """The half-open range [low, high) of codes at or below this region (codes are prefixes)."""
        return code_range(self.code)


def code_range(prefix: str) -> tuple[str, str]:
    """Codes beginning with a digit prefix form the half-open range [prefix, prefix + 1 digit)."""
    return prefix, prefix + ":"  # ':' follows '9' in ASCII, so every longer code lies inside.


def path_under(field: str, prefix: str) -> Q:
    """`field`, a tree path (`ServicePoint.ancestry`, or a point's `subtree_prefix` kept on a row
    scoped by it), at or below `prefix`: one index range ('0' follows '/' in the byte order the
    paths are compared in; decision 0061)."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + "0"})


def county_link(*, related_name: str) -> models.ForeignKey:
    """The county a row belongs to (departments, partner organisations, points, training
    organisers): a protected link to a region of level county."""
    return models.ForeignKey(
        Region,
        verbose_name=_("所属县"),
        on_delete=models.PROTECT,
        related_name=related_name,
        limit_choices_to={"level": Region.Level.COUNTY},
    )


class CountyUnitQuerySet(models.QuerySet):
    """Reads shared by departments and partner organisations (the units a county keeps a list of)."""

    def active(self):
        return self.filter(active=True)

    def in_counties(self, code: str):
        """Those of the county `code`, or of every county of a city or province code."""
        low, high = code_range(code)
        return self.filter(county__code__gte=low, county__code__lt=high)

    def search(self, text: str):
        """A Chinese substring of the name."""
        text = text.strip()
        return self.filter(name__contains=text) if text else self


class DepartmentQuerySet(CountyUnitQuerySet):
    def with_point_counts(self):
        """Annotate `window_count` and `subzone_count`: the department windows and the domain
        sub-zones bound to each department, whatever their state (a deactivated department's
        points are still counted)."""
        return self.annotate(
            window_count=models.Count("points", filter=Q(points__kind="department_window")),
            subzone_count=models.Count("points", filter=Q(points__kind="domain_subzone")),
        )


class PartnerOrganisationQuerySet(CountyUnitQuerySet):
    def with_point_counts(self):
        """Annotate `station_count`: the partner stations of each organisation, whatever their
        state."""
        return self.annotate(station_count=models.Count("stations"))


class Department(models.Model):
    """A government department of one county (进驻部门), owner of windows and sub-zones.

    Never deleted: a department no longer in service is deactivated (`active` false). It keeps its
    windows, sub-zones, items and cases, readable and counted, but takes no new ones (no new window
    or sub-zone, department administrator or item is bound to it: `actions.py`, the catalog)."""

    county = county_link(related_name="departments")
    name = models.CharField(_("部门名称"), max_length=100)
    active = models.BooleanField(_("在用"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["county__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Domain(models.Model):
    """A service domain (领域); the ten of the county centre's sub-zones are seeded by migration."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("领域")
        verbose_name_plural = _("领域")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class PartnerOrganisation(models.Model):
    """A cooperating bank, post office, supermarket or telecom shop (政银邮商合作单位) in a county.

    Never deleted: deactivated like a department, it keeps its stations but takes no new station or
    partner administrator."""

    class PartnerType(models.TextChoices):
        BANK = "bank", _("银行")
        POST = "post", _("邮政")
        SUPERMARKET = "supermarket", _("商超")
        TELECOM = "telecom", _("通信运营商")

    county = county_link(related_name="partner_organisations")
    name = models.CharField(_("单位名称"), max_length=100)
    partner_type = models.CharField(_("合作类型"), max_length=16, choices=PartnerType.choices)
    active = models.BooleanField(_("在用"), default=True)

    objects = PartnerOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("合作单位")
        verbose_name_plural = _("合作单位")
        ordering = ["county__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="partner_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ServicePointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def under(self, point: "ServicePoint"):
        """The points strictly below `point` in the tree (an index range on the ancestry path)."""
        return self.filter(path_under("ancestry", point.subtree_prefix))

    def at_or_under(self, point: "ServicePoint"):
        return self.filter(Q(pk=point.pk) | path_under("ancestry", point.subtree_prefix))

    def in_region(self, region: Region):
        """Points of the counties at or below `region` (for a town or village: points in it)."""
        low, high = region.code_range
        if region.level in (Region.Level.TOWN, Region.Level.VILLAGE):
            return self.filter(region__code__gte=low, region__code__lt=high)
        return self.filter(county__code__gte=low, county__code__lt=high)

    def named(self, text: str):
        """The points whose name contains `text` (`name__contains`, exactly), read through their
        grams (`PointGram`, decision 0069): the candidates holding the text's rarest gram, tested
        for the substring (one or two Chinese characters need no test), or, when every gram of the
        text is common, the substring test alone. One query to choose, when called. An empty
        text: all."""
        if not text:
            return self
        candidates = gram_candidates(PointGram.objects.all(), text, "point_id")
        if candidates is None:  # every gram held by most points: a scan serves best
            return self.filter(name__contains=text)
        found = self.filter(pk__in=candidates)
        return found if grams_suffice(text) else found.filter(name__contains=text)

    def search(self, text: str):
        """Chinese substring of the name or address, or a division-code prefix."""
        text = text.strip()
        if not text:
            return self
        if text.isascii() and text.isdigit():
            # A division code: the points of that region and below (a town's 12-digit form too).
            low = text[:9] if len(text) == 12 and text.endswith("000") else text
            return self.filter(region__code__gte=low, region__code__lt=low + ":")
        return self.filter(Q(name__contains=text) | Q(address__contains=text))

    def with_equipment_status(self, on):
        """Annotate each point with `equipment_count` (equipment not retired) and
        `equipment_overdue` (of which the periodic check is overdue on the date `on`): two
        correlated sub-queries, so one query whatever the number of points."""
        return self.annotate(
            equipment_count=_count_subquery(Equipment.objects.in_use()),
            equipment_overdue=_count_subquery(Equipment.objects.check_overdue(on=on)),
        )


class ServicePoint(models.Model):
    """A place where helpers serve people: a centre, zone, sub-zone, window, station."""

    class Kind(models.TextChoices):
        COUNTY_CENTRE = "county_centre", _("县政务服务中心")
        DEDICATED_ZONE = "dedicated_zone", _("帮办代办专区")
        DOMAIN_SUBZONE = "domain_subzone", _("帮办代办分区")
        DEPARTMENT_WINDOW = "department_window", _("部门窗口")
        TOWN_CENTRE = "town_centre", _("镇（街道）便民服务中心")
        VILLAGE_STATION = "village_station", _("村（社区）便民服务站")
        PARTNER_STATION = "partner_station", _("合作网点帮办代办服务站")

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    parent = optional_link("self", _("上级服务点"), related_name="children")
    # "/<root id>/<child id>/…/": the ids of every ancestor, root first, each followed by "/".
    # Kept by actions.py; it makes "everything under a point" one index range.
    ancestry = models.CharField(_("上级路径"), max_length=255, default="/", editable=False)
    county = county_link(related_name="+")
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="points"
    )
    domain = optional_link(Domain, _("领域"), related_name="points")
    department = optional_link(Department, _("部门"), related_name="points")
    organisation = optional_link(PartnerOrganisation, _("合作单位"), related_name="stations")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True, db_index=True)
    signage_in_place = models.BooleanField(_("统一标识已设置"), default=False)
    signage_photo = models.ImageField(_("统一标识照片"), upload_to="signage/%Y/", blank=True)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ServicePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务点")
        verbose_name_plural = _("服务点")
        ordering = ["ancestry", "kind", "name", "id"]
        indexes = [
            models.Index(fields=["ancestry"], name="point_ancestry_idx"),
            models.Index(fields=["county", "kind"], name="point_county_kind_idx"),
            models.Index(fields=["parent", "kind", "name"], name="point_parent_kind_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="point_root_is_county_centre",
                condition=Q(kind="county_centre", parent__isnull=True)
                | (~Q(kind="county_centre") & Q(parent__isnull=False)),
            ),
            models.CheckConstraint(
                name="point_not_own_parent",
                condition=~Q(parent=models.F("pk")),
            ),
            models.CheckConstraint(
                name="point_subzone_has_domain_only_subzones_do",
                condition=Q(kind="domain_subzone", domain__isnull=False)
                | (~Q(kind="domain_subzone") & Q(domain__isnull=True)),
            ),
            models.CheckConstraint(
                name="point_department_only_on_windows_and_subzones",
                condition=Q(kind="department_window", department__isnull=False)
                | (
                    ~Q(kind="department_window")
                    & (Q(kind="domain_subzone") | Q(department__isnull=True))
                ),
            ),
            models.CheckConstraint(
                name="point_partner_station_has_organisation",
                condition=Q(kind="partner_station", organisation__isnull=False)
                | (~Q(kind="partner_station") & Q(organisation__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["county"],
                condition=Q(kind="county_centre"),
                name="point_one_county_centre_per_county",
            ),
            models.UniqueConstraint(
                fields=["county"],
                condition=Q(kind="dedicated_zone"),
                name="point_one_dedicated_zone_per_county",
            ),
            models.UniqueConstraint(
                fields=["county", "domain"],
                condition=Q(kind="domain_subzone"),
                name="point_one_subzone_per_domain",
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind="town_centre"),
                name="point_one_town_centre_per_town",
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind="village_station"),
                name="point_one_station_per_village",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def subtree_prefix(self) -> str:
        """The ancestry every point below this one starts with; also the point's own path, which
        the rows it scopes keep (a case's `registering_path`, decision 0061)."""
        return f"{self.ancestry}{self.pk}/"

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.ancestry.strip("/").split("/") if part]

    @property
    def depth(self) -> int:
        return len(self.ancestor_ids)


class OpeningHours(models.Model):
    """One weekly opening period of a point: regular, extended (延时), off-peak (错时) or by appointment."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("星期一")
        TUESDAY = 2, _("星期二")
        WEDNESDAY = 3, _("星期三")
        THURSDAY = 4, _("星期四")
        FRIDAY = 5, _("星期五")
        SATURDAY = 6, _("星期六")
        SUNDAY = 7, _("星期日")

    class Kind(models.TextChoices):
        REGULAR = "regular", _("正常")
        EXTENDED = "extended", _("延时服务")
        OFF_PEAK = "off_peak", _("错时服务")
        APPOINTMENT = "appointment", pgettext_lazy("opening hours", "预约服务")

    point = models.ForeignKey(
        ServicePoint, verbose_name=_("服务点"), on_delete=models.CASCADE, related_name="hours"
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    opens_at = models.TimeField(_("开始时间"))
    closes_at = models.TimeField(_("结束时间"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.REGULAR)

    class Meta:
        verbose_name = _("服务时间")
        verbose_name_plural = _("服务时间")
        ordering = ["point", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                name="hours_close_after_open", condition=Q(closes_at__gt=models.F("opens_at"))
            ),
            models.CheckConstraint(name="hours_weekday_1_to_7", condition=Q(weekday__range=(1, 7))),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class Role(models.TextChoices):
    """Roles, highest first. Each binds to one kind of thing (see BINDING)."""

    REGION_ADMIN = "region_admin", _("区域管理员")
    SUPERVISOR = "supervisor", _("监督员")
    #: 政务服务特邀监督员, often a citizen: files and follows their own inspections of the region's
    #: points, sees directory data only, never applicants' (`access.ROLE_ACTIONS`: "inspect" only).
    SPECIAL_SUPERVISOR = "special_supervisor", _("特邀监督员")
    DEPARTMENT_ADMIN = "department_admin", _("部门管理员")
    TOWN_ADMIN = "town_admin", _("镇（街道）管理员")
    PARTNER_ADMIN = "partner_admin", _("合作单位管理员")
    POINT_LEAD = "point_lead", _("服务点负责人")
    HELPER = "helper", _("帮办代办员")


#: The one field of a membership each role is bound by.
BINDING = {
    Role.REGION_ADMIN: "region",
    Role.SUPERVISOR: "region",
    Role.SPECIAL_SUPERVISOR: "region",
    Role.DEPARTMENT_ADMIN: "department",
    Role.TOWN_ADMIN: "point",
    Role.PARTNER_ADMIN: "organisation",
    Role.POINT_LEAD: "point",
    Role.HELPER: "point",
}


#: The roles whose holders serve at a point: they count toward its staffing and are "where a helper
#: serves" (a point lead serves too).
SERVING_ROLES = (Role.HELPER, Role.POINT_LEAD)


def _binding_condition() -> Q:
    fields = ("region", "point", "department", "organisation")
    condition = Q()
    for role, field in BINDING.items():
        only = Q(role=role.value, **{f"{field}__isnull": False})
        for other in fields:
            if other != field:
                only &= Q(**{f"{other}__isnull": True})
        condition |= only
    return condition


class MembershipQuerySet(models.QuerySet):
    def serving(self, at=None):
        """The memberships through which someone serves (`SERVING_ROLES`), at the points `at` when
        given: one point (a point, an id, or an `OuterRef`), or several (a list of ids, or a
        queryset of points or of their ids). "The people serving at these points", said once."""
        qs = self.filter(role__in=SERVING_ROLES)
        if at is None:
            return qs
        one = isinstance(at, ServicePoint | int) or (
            hasattr(at, "resolve_expression") and not isinstance(at, models.QuerySet)
        )
        return qs.filter(point=at) if one else qs.filter(point__in=at)


class Membership(models.Model):
    """Who acts where: a role bound to a region, a point (and everything under it), a department or a
    partner organisation. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    point = optional_link(ServicePoint, _("服务点"), related_name="memberships")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    organisation = optional_link(PartnerOrganisation, _("合作单位"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位授权")
        verbose_name_plural = _("岗位授权")
        constraints = [
            models.CheckConstraint(
                name="membership_binding_matches_role", condition=_binding_condition()
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", "role", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"membership_unique_{field}",
                )
                for field in ("region", "point", "department", "organisation")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.binding}"

    @property
    def binding(self):
        return getattr(self, BINDING[Role(self.role)])


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} · {self.expires_at:%Y-%m-%d %H:%M}"
