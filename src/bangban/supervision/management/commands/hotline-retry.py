"""`bangban hotline-retry`: the 12345 outbox's failed rows put back to pending with a new give-up
window, then its counts and latest failures; `--show` only shows (docs/hotline.md "Operating it")."""

from django.core.management.base import BaseCommand
from django.db.models import Count

from bangban.supervision.hotline.outbox import retry_failed
from bangban.supervision.models import HotlineOutbox


class Command(BaseCommand):
    help = (
        "12345 工单推送：把推送失败的记录重新放回待推送（从现在起重新计算放弃时间），并显示待推送、"
        "已推送、推送失败的条数；加 --show 只显示，不放回。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--show", action="store_true", help="只显示条数和最近的失败，不放回")

    def handle(self, *args, show: bool = False, **options):
        if not show:
            count = retry_failed(by="hotline-retry")
            self.stdout.write(f"已重新放回待推送：{count} 条")
        counts = dict(
            HotlineOutbox.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        for status, label in HotlineOutbox.Status.choices:
            self.stdout.write(f"{label}：{counts.get(status, 0)}")
        last = (
            HotlineOutbox.objects.filter(status=HotlineOutbox.Status.FAILED)
            .order_by("-pk")
            .values_list("ticket_no", "action", "last_error")[:5]
        )
        for ticket_no, action, error in last:
            self.stdout.write(f"  {ticket_no} {action}: {error}")
