"""`bangban import-divisions`: regions and the service tree from the NBS division files."""

from django.core.management.base import BaseCommand, CommandError

from bangban.network.divisions import DivisionFileError, import_divisions


class Command(BaseCommand):
    help = (
        "从国家统计局统计用区划代码 CSV 文件导入区划，并为所覆盖的每个县（区）建立"
        "县政务服务中心 → 镇（街道）便民服务中心 → 村（社区）便民服务站。可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--counties", required=True, help="县级文件（如 china-counties.csv）")
        parser.add_argument("--towns", required=True, help="镇级文件")
        parser.add_argument("--villages", required=True, help="村级文件")
        parser.add_argument("--cities", help="市级文件（可选，为县指定上级市）")
        parser.add_argument("--provinces", help="省级文件（可选）")
        parser.add_argument("--county", help="只导入这个县（区）的代码，如 370323")

    def handle(self, *args, **options):
        try:
            report = import_divisions(
                counties=options["counties"],
                towns=options["towns"],
                villages=options["villages"],
                cities=options["cities"],
                provinces=options["provinces"],
                county=options["county"],
            )
        except DivisionFileError as error:
            raise CommandError(f"{error}（未做任何更改）") from error
        self.stdout.write(report.summary())
