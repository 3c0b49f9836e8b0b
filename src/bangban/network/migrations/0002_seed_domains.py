"""Seed the ten domains of the county centre's sub-zones (docs/domain.md; the seed's 三(一)1)."""

from django.db import migrations

DOMAINS = [
    ("enterprise_startup", "企业开办"),
    ("investment_projects", "投资项目"),
    ("comprehensive_acceptance", "综合受理"),
    ("human_resources_social_security", "人社"),
    ("medical_insurance", "医保"),
    ("public_security", "公安"),
    ("tax", "税务"),
    ("housing_provident_fund", "住房公积金"),
    ("marriage_registration", "婚姻登记"),
    ("justice", "司法"),
]


def seed(apps, schema_editor):
    Domain = apps.get_model("network", "Domain")
    for position, (code, name) in enumerate(DOMAINS, start=1):
        Domain.objects.update_or_create(code=code, defaults={"name": name, "position": position})


def unseed(apps, schema_editor):
    apps.get_model("network", "Domain").objects.filter(code__in=[c for c, _ in DOMAINS]).delete()


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
