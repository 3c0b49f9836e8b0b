"""`bangban province-retry`: the provincial outbox's counts, and (with `--failed`) its failed rows put
back to pending with a new give-up window (docs/province.md "Operating it")."""

from django.core.management.base import BaseCommand
from django.db.models import Count

from bangban.feedback.models import ProvinceOutbox
from bangban.feedback.province import retry_failed


class Command(BaseCommand):
    help = (
        "省好差评推送：显示待推送、已推送、推送失败的条数；加 --failed 把推送失败的记录重新放回待推送"
        "（从现在起重新计算放弃时间）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true", help="把推送失败的记录重新放回待推送")

    def handle(self, *args, failed: bool = False, **options):
        if failed:
            count = retry_failed(by="province-retry")
            self.stdout.write(f"已重新放回待推送：{count} 条")
        counts = dict(
            ProvinceOutbox.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        for status, label in ProvinceOutbox.Status.choices:
            self.stdout.write(f"{label}：{counts.get(status, 0)}")
        last = (
            ProvinceOutbox.objects.filter(status=ProvinceOutbox.Status.FAILED)
            .order_by("-pk")
            .values_list("project_no", "last_error")[:5]
        )
        for project_no, error in last:
            self.stdout.write(f"  {project_no}: {error}")
