"""The service-item catalog (事项目录): items as a county's implementation list (实施清单) states them.

A `ServiceItem` is the identity of an item in one county (its implementation code). Everything a helper
tells an applicant lives in an immutable `ItemRevision` with its ordered `Material` rows: every edit, in the
app, through the API or by import, adds a revision and moves `ServiceItem.current` to it, so a case can
point to the revision it was told (docs/architecture.md "Items"). Nothing updates a revision once written.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from bangban.kernel.search import Gram, grams, grams_suffice, having_grams
from bangban.network.models import Department, Domain, Region


class Mode(models.TextChoices):
    """The six ways an item can be handled (六种办理方式); a case's way of serving is one of these."""

    MOBILE = "mobile", _("掌上办")
    ONLINE = "online", _("网上办")
    SELF_SERVICE = "self_service", _("自助办")
    ON_SITE = "on_site", _("现场办")
    APPOINTMENT = "appointment", _("预约办")
    HOME_VISIT = "home_visit", _("上门办")


class Level(models.TextChoices):
    """Where in the three-level network an item is handled."""

    COUNTY = "county", _("县级分区、窗口")
    TOWN = "town", _("镇（街道）便民服务中心")
    VILLAGE = "village", _("村（社区）便民服务站")
    PARTNER = "partner", _("合作网点")


class LimitUnit(models.TextChoices):
    """The unit of a time limit (docs/domain.md "Time limits"); values are the workdays engine's units."""

    WORKING = "working", _("工作日")
    NATURAL = "natural", _("自然日")


def mode_field(mode: str) -> str:
    return f"mode_{mode}"


def level_field(level: str) -> str:
    return f"at_{level}"


#: What separates an item's keywords (俗称) as typed: 、，,；; and blanks. Stored joined by "、".
KEYWORD_SEPARATORS = re.compile(r"[、,，;；\s]+")


def split_keywords(text: str) -> tuple[str, ...]:
    """The keywords of `text` (or of several texts) in order, each once, without blanks."""
    words = KEYWORD_SEPARATORS.split(text or "")
    return tuple(dict.fromkeys(word for word in words if word))


def initials(text: str) -> str:
    """The pinyin initials of the Chinese characters of `text` (低保 → db), other characters as
    they are, lower-cased."""
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()


def search_text_of(name: str, keywords: str) -> str:
    """What an item's search matches besides its department, domains and codes (decision 0037):
    its name and keywords, and the pinyin initials of each, lower-cased, separated by blanks so an
    initialism never runs from one word into the next. Computed once when a revision is written."""
    words = [name, *split_keywords(keywords)]
    return " ".join(dict.fromkeys([*words, *(initials(w) for w in words)])).lower()


def item_grams(search_text: str, department: str, domains) -> set[str]:
    """The grams (`kernel.search.grams`) an item is found by: those of its current revision's
    `search_text`, its department's name and its domains' names (decision 0062)."""
    return grams(search_text, department, *domains)


def _starts_with(field: str, prefix: str) -> Q:
    """`field` starts with `prefix` (codes, stored upper-cased), as an index on `field` serves it:
    PostgreSQL's pattern index (`db_index` on a CharField) serves `LIKE 'X%'`, but SQLite's `LIKE`
    ignores ASCII case and so no plain index, so there the range of the same strings is added."""
    test = Q(**{f"{field}__startswith": prefix})
    if connection.vendor == "sqlite":
        test &= Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\x7f"})
    return test


class ServiceItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def in_counties(self, counties):
        """Items of the given counties (a queryset of regions or of their ids)."""
        return self.filter(county__in=counties)

    def search(self, text: str, counties=None):
        """Every item search (the list, the registration form, the ledger's picker, the API): a
        substring of the name or of a keyword (俗称: 低保 finds 最低生活保障审核确认) or of their
        pinyin initials (`db`), read from the current revision's `search_text`; a Chinese
        substring of the department or a domain (so 医保 finds the medical insurance items); or
        the start of the implementation or basic code. `counties` (regions or ids), when the
        caller's items are of those counties only, narrows the grams read to theirs."""
        text = text.strip()
        if not text:
            return self
        # The candidates whose grams hold every gram of the text (`ItemGram`, decision 0062),
        # then the exact test on those only: the same items as the test alone, without reading
        # every item's revision. One or two Chinese characters need no test: their grams are
        # exactly the items that contain them.
        index = ItemGram.objects.all()
        if counties is not None:
            index = index.filter(county__in=counties)
        candidates = Q(pk__in=having_grams(index, text, "item_id"))
        if grams_suffice(text):
            return self.filter(candidates)
        said = Q(current__search_text__contains=text.lower())
        if text.isascii() and text.replace("-", "").isalnum():
            upper = text.upper()
            revisions = ItemRevision.objects.filter(_starts_with("basic_code", upper))
            # Unordered: the items' default order would give each part of the union an ORDER BY
            # (and a join), which SQLite refuses in a compound query and nobody needs here.
            items = ServiceItem.objects.order_by()
            # Each of the three is a query an index serves, and their union one sub-query: the
            # outer query joins nothing, and reads no item that is in none of them (three tests
            # joined by OR read every item on PostgreSQL).
            found = (
                items.filter(_starts_with("implementation_code", upper))
                .values("pk")
                .union(
                    items.filter(current__in=revisions).values("pk"),
                    items.filter(candidates, said).values("pk"),
                )
            )
            return self.filter(pk__in=found)
        domains = ItemRevision.domains.through.objects.filter(
            itemrevision_id=OuterRef("current_id"), domain__name__contains=text
        )
        return self.filter(candidates).filter(
            said | Q(current__department__name__contains=text) | Q(Exists(domains))
        )

    def in_domain(self, domain):
        return self.filter(current__domains=domain)

    def with_mode(self, mode: str):
        return self.filter(**{f"current__{mode_field(Mode(mode))}": True})

    def at_level(self, level: str):
        return self.filter(**{f"current__{level_field(Level(level))}": True})

    def matching(self, *, q="", county=None, domain=None, mode="", level="", counties=None):
        """The list page's, the export's and the API's filters at once; empty ones select all.
        `counties`: those the items are already limited to (the search reads their grams only)."""
        qs = self
        if county is not None:
            qs = qs.filter(county=county)
        if domain is not None:
            qs = qs.in_domain(domain)
        if mode:
            qs = qs.with_mode(mode)
        if level:
            qs = qs.at_level(level)
        return qs.search(q, counties=[county] if county is not None else counties)


class ServiceItem(models.Model):
    """A service item (事项) of one county, known by its implementation code (实施编码)."""

    county = models.ForeignKey(
        Region,
        verbose_name=_("所属县"),
        on_delete=models.PROTECT,
        related_name="service_items",
        limit_choices_to={"level": Region.Level.COUNTY},
    )
    #: Indexed on its own for a province-wide search by a code's start (decision 0062).
    implementation_code = models.CharField(_("实施编码"), max_length=36, db_index=True)
    current = models.OneToOneField(
        "ItemRevision",
        verbose_name=_("当前版本"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["county__code", "implementation_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "implementation_code"], name="item_unique_implementation_code"
            ),
        ]

    def __str__(self) -> str:
        return self.current.name if self.current_id else self.implementation_code


class ItemRevision(models.Model):
    """One immutable state of an item: what a helper told an applicant on a given day."""

    class Source(models.TextChoices):
        APP = "app", _("页面编辑")
        IMPORT = "import", _("Excel 导入")
        API = "api", _("接口")
        DEMO = "demo", _("演示数据")

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("修订号"))
    basic_code = models.CharField(_("基本编码"), max_length=12, db_index=True)
    version = models.CharField(_("版本号"), max_length=20, blank=True)
    name = models.CharField(_("事项名称"), max_length=200)
    keywords = models.CharField(
        _("俗称（关键词）"),
        max_length=200,
        blank=True,
        help_text=_("群众在窗口的说法，如“低保”“社保卡”，用顿号分隔。"),
    )
    #: `search_text_of(name, keywords)`, written with the revision (revisions never change).
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)
    type_code = models.CharField(_("事项类型代码"), max_length=20)
    type_name = models.CharField(_("事项类型"), max_length=50)
    type_system = models.CharField(_("类型代码体系"), max_length=50)
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="+"
    )
    domains = models.ManyToManyField(Domain, verbose_name=_("所属领域"), related_name="+")
    at_county = models.BooleanField(Level.COUNTY.label, default=False)
    at_town = models.BooleanField(Level.TOWN.label, default=False)
    at_village = models.BooleanField(Level.VILLAGE.label, default=False)
    at_partner = models.BooleanField(Level.PARTNER.label, default=False)
    legal_limit = models.PositiveSmallIntegerField(_("法定办结时限"))
    legal_limit_unit = models.CharField(
        _("法定时限单位"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.WORKING
    )
    promised_limit = models.PositiveSmallIntegerField(_("承诺办结时限"))
    promised_limit_unit = models.CharField(
        _("承诺时限单位"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.WORKING
    )
    mode_mobile = models.BooleanField(Mode.MOBILE.label, default=False)
    mode_online = models.BooleanField(Mode.ONLINE.label, default=False)
    mode_self_service = models.BooleanField(Mode.SELF_SERVICE.label, default=False)
    mode_on_site = models.BooleanField(Mode.ON_SITE.label, default=True)
    mode_appointment = models.BooleanField(Mode.APPOINTMENT.label, default=False)
    mode_home_visit = models.BooleanField(Mode.HOME_VISIT.label, default=False)
    fee_charged = models.BooleanField(_("事项本身是否收费"), default=False)
    fee_note = models.CharField(_("收费标准及依据"), max_length=500, blank=True)
    guide = models.TextField(_("办事指南"), blank=True)
    created_at = models.DateTimeField(_("修订时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修订人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="revision_unique_number"),
            models.CheckConstraint(
                condition=Q(at_county=True)
                | Q(at_town=True)
                | Q(at_village=True)
                | Q(at_partner=True),
                name="revision_has_level",
            ),
            models.CheckConstraint(
                condition=Q(mode_mobile=True)
                | Q(mode_online=True)
                | Q(mode_self_service=True)
                | Q(mode_on_site=True)
                | Q(mode_appointment=True)
                | Q(mode_home_visit=True),
                name="revision_has_mode",
            ),
            models.CheckConstraint(
                condition=~Q(legal_limit_unit=F("promised_limit_unit"))
                | Q(promised_limit__lte=F("legal_limit")),
                name="revision_promised_within_legal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.number} 版）"

    @property
    def modes(self) -> list[str]:
        return [mode for mode in Mode.values if getattr(self, mode_field(mode))]

    @property
    def keyword_list(self) -> tuple[str, ...]:
        return split_keywords(self.keywords)

    @property
    def levels(self) -> list[str]:
        return [level for level in Level.values if getattr(self, level_field(level))]

    @property
    def mode_labels(self) -> list[str]:
        return [str(Mode(mode).label) for mode in self.modes]

    @property
    def level_labels(self) -> list[str]:
        return [str(Level(level).label) for level in self.levels]


class ItemGram(Gram):
    """One gram of an item as it is found today (`item_grams` of its current revision, department
    and domains), kept by the catalog's actions in the transaction that changes them and by the
    network's announcement of a renamed department (`on_network.py`); decision 0062."""

    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique (item, gram) serves finding an item's grams
    )
    #: The item's county, so a county's search reads only its county's grams.
    county = models.ForeignKey(
        Region, verbose_name=_("所属县"), on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("事项检索片段")
        verbose_name_plural = _("事项检索片段")
        constraints = [
            models.UniqueConstraint(fields=["item", "gram"], name="item_gram_unique"),
        ]
        indexes = [models.Index(fields=["gram", "county", "item"], name="item_gram_county")]


class Material(models.Model):
    """One material of an item revision (申请材料), in the order the list gives them."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("证照")
        FORM = "form", _("表格")
        OTHER = "other", _("其他")

    class Form(models.TextChoices):
        PAPER = "paper", _("纸质")
        ELECTRONIC = "electronic", _("电子")
        BOTH = "both", _("纸质和电子")

    class Necessity(models.TextChoices):
        REQUIRED = "required", _("必要")
        OPTIONAL = "optional", _("非必要")
        DEFERRABLE = "deferrable", _("容缺后补")

    class Source(models.TextChoices):
        APPLICANT = "applicant", _("申请人自备")
        GOVERNMENT = "government", _("政府部门核发")
        OTHER = "other", _("其他")

    revision = models.ForeignKey(
        ItemRevision, verbose_name=_("事项版本"), on_delete=models.CASCADE, related_name="materials"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("材料名称"), max_length=200)
    kind = models.CharField(_("材料类型"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    form = models.CharField(_("材料形式"), max_length=12, choices=Form.choices, default=Form.PAPER)
    necessity = models.CharField(
        _("必要性"), max_length=12, choices=Necessity.choices, default=Necessity.REQUIRED
    )
    source = models.CharField(
        _("来源渠道"), max_length=12, choices=Source.choices, default=Source.APPLICANT
    )
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=0)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=0)
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/%Y/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="catalog/samples/%Y/", blank=True)
    standard = models.CharField(_("受理标准"), max_length=500, blank=True)
    notes = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["revision", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "position"], name="material_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def copies_text(self) -> str:
        """ "原件 1 份、复印件 2 份", as a list states it; electronic materials with no paper: "电子"."""
        parts = []
        if self.originals:
            parts.append(_("原件 %(n)s 份") % {"n": self.originals})
        if self.copies:
            parts.append(_("复印件 %(n)s 份") % {"n": self.copies})
        return "、".join(str(p) for p in parts) or str(self.get_form_display())
