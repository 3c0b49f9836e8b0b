"""Training organisers follow the network (docs/decisions/0026-organiser-coverage.md): each says
whether it is in service and whether its name follows what it is bound to, and administrators'
corrections to its points are kept apart so that recomputation applies them again.

Existing organisers are brought along: a town's is in service when its centre is; a name that
differs from the one it would take was given by someone, so it stops following; the points it
trains for become the rule's (as of this migration), and every point in service it trained for
beyond the rule is kept as a correction ("added") rather than silently dropped.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


BUREAU_DOMAINS = ("enterprise_startup", "investment_projects", "comprehensive_acceptance")
KEPT = "升级时保留的原有培训范围（不属于规则计算的范围）。"


def _rule(point):
    """The organiser binding of a point by the rule, as staff.actions.rule_bindings had it."""
    pk, kind, active, parent_id, department_id, organisation_id, domain = point
    if not active:
        return None
    if kind == "dedicated_zone" or (kind == "domain_subzone" and domain in BUREAU_DOMAINS):
        return ("county_bureau", None)
    if kind in ("domain_subzone", "department_window") and department_id:
        return ("department", department_id)
    if kind == "town_centre":
        return ("town", pk)
    if kind == "village_station":
        return ("town", parent_id)
    if kind == "partner_station":
        return ("partner", organisation_id)
    return None


def bring_along(apps, schema_editor):
    TrainingOrganiser = apps.get_model("staff", "TrainingOrganiser")
    CoverageCorrection = apps.get_model("staff", "CoverageCorrection")
    ServicePoint = apps.get_model("network", "ServicePoint")
    Through = TrainingOrganiser.points.through
    organisers = list(
        TrainingOrganiser.objects.select_related(
            "county", "department", "organisation", "town_centre__region"
        )
    )
    for o in organisers:
        if o.kind == "county_bureau":
            name = f"{o.county.name}行政审批服务局"
        elif o.kind == "department":
            name = o.department.name
        elif o.kind == "town":
            name = o.town_centre.region.name
            o.active = o.town_centre.active
        else:
            name = o.organisation.name
        o.name_follows = o.name == name
    TrainingOrganiser.objects.bulk_update(organisers, ["active", "name_follows"])

    by_county = {}
    for o in organisers:
        binding = o.department_id or o.town_centre_id or o.organisation_id
        by_county.setdefault(o.county_id, {})[(o.kind, binding)] = o.pk
    for county_id, by_binding in by_county.items():
        points = {
            row[0]: row
            for row in ServicePoint.objects.filter(county_id=county_id).values_list(
                "pk",
                "kind",
                "active",
                "parent_id",
                "department_id",
                "organisation_id",
                "domain__code",
            )
        }
        wanted = set()
        for pk, point in points.items():
            binding = _rule(point)
            if binding in by_binding:
                wanted.add((by_binding[binding], pk))
        stored = set(
            Through.objects.filter(servicepoint__county_id=county_id).values_list(
                "trainingorganiser_id", "servicepoint_id"
            )
        )
        kept = [pair for pair in stored - wanted if points[pair[1]][2]]
        CoverageCorrection.objects.bulk_create(
            CoverageCorrection(organiser_id=o, point_id=p, change="added", note=KEPT)
            for o, p in kept
        )
        wanted |= set(kept)
        for o, p in stored - wanted:
            Through.objects.filter(trainingorganiser_id=o, servicepoint_id=p).delete()
        Through.objects.bulk_create(
            Through(trainingorganiser_id=o, servicepoint_id=p) for o, p in wanted - stored
        )


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0003_equipment"),
        ("staff", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingorganiser",
            name="active",
            field=models.BooleanField(default=True, verbose_name="在用"),
        ),
        migrations.AddField(
            model_name="trainingorganiser",
            name="name_follows",
            field=models.BooleanField(default=True, verbose_name="名称随所属单位变化"),
        ),
        migrations.CreateModel(
            name="CoverageCorrection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "change",
                    models.CharField(
                        choices=[("added", "管理员增加"), ("removed", "管理员移除")],
                        max_length=16,
                        verbose_name="更正",
                    ),
                ),
                ("note", models.CharField(max_length=200, verbose_name="更正说明")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="更正时间")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="更正人",
                    ),
                ),
                (
                    "organiser",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="corrections",
                        to="staff.trainingorganiser",
                        verbose_name="培训组织单位",
                    ),
                ),
                (
                    "point",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="network.servicepoint",
                        verbose_name="服务点",
                    ),
                ),
            ],
            options={
                "verbose_name": "培训范围更正",
                "verbose_name_plural": "培训范围更正",
                "ordering": ["organiser", "point"],
                "indexes": [models.Index(fields=["point"], name="coverage_correction_point_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organiser", "point"), name="coverage_correction_once_per_point"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("change__in", ["added", "removed"])),
                        name="coverage_correction_change_known",
                    ),
                ],
            },
        ),
        migrations.RunPython(bring_along, migrations.RunPython.noop),
    ]
