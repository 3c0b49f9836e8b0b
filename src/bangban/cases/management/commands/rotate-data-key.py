"""`bangban rotate-data-key`: after a change of `BANGBAN_DATA_KEY` (the old key moved to
`BANGBAN_DATA_KEYS_PREVIOUS`), re-encrypt every protected column with the new key and recompute every
digest (`bangban.kernel.rotation`, over every app's `protected.py`; README "Changing the data key")."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bangban.kernel import rotation

#: The row ids named when some cannot be decrypted (the count is always complete).
NAMED = 10


class Command(BaseCommand):
    help = (
        "更换数据密钥后运行：用当前的 BANGBAN_DATA_KEY 重新加密所有加密字段（证件号码、出生日期、电话、"
        "短信接收号码），并重算查找摘要。旧密钥须已移入 BANGBAN_DATA_KEYS_PREVIOUS。分批提交，"
        "中断后再次运行即可继续；重复运行不会改动已完成的数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=rotation.BATCH_SIZE,
            help=f"每批处理的行数（每批一个事务），默认 {rotation.BATCH_SIZE}",
        )
        parser.add_argument(
            "--check", action="store_true", help="只检查并统计需要更新的行，不做任何更改"
        )

    def handle(self, *args, **options):
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size 至少为 1。")
        if not getattr(settings, "BANGBAN_DATA_KEY", ""):
            self.stdout.write(
                self.style.WARNING(
                    "未设置 BANGBAN_DATA_KEY：当前密钥由 SECRET_KEY 派生。生产环境请设置独立的数据密钥。"
                )
            )
        self.stdout.write("检查每一行能否用已配置的密钥解密……")
        unreadable = rotation.unreadable_rows(batch_size=batch_size)
        if unreadable:
            total = sum(len(pks) for pks in unreadable.values())
            where = "；".join(
                f"{model} {len(pks)} 行（id {', '.join(str(pk) for pk in pks[:NAMED])}"
                f"{' …' if len(pks) > NAMED else ''}）"
                for model, pks in unreadable.items()
            )
            raise CommandError(
                f"有 {total} 行无法用任何已配置的密钥解密：{where}。请把加密它们的旧密钥加入 "
                "BANGBAN_DATA_KEYS_PREVIOUS 后再运行。未做任何更改。"
            )
        verb = "需要更新" if options["check"] else "已更新"

        def report(outcome: rotation.Outcome) -> None:
            self.stdout.write(
                f"{outcome.model}：读取 {outcome.rows} 行，{verb} {outcome.changed_rows} 行"
                f"（重新加密 {outcome.reencrypted} 个值，重算 {outcome.redigested} 个摘要）"
            )

        outcomes = rotation.rotate_all(
            batch_size=batch_size, dry_run=options["check"], on_model=report
        )
        changed = sum(o.changed_rows for o in outcomes)
        late = sum(len(o.unreadable) for o in outcomes)
        if late:  # written meanwhile with a key that is not configured here
            raise CommandError(
                f"有 {late} 行在运行期间变得无法解密，已跳过；请检查密钥配置后再运行。"
            )
        if options["check"]:
            self.stdout.write(f"检查完成：共 {changed} 行需要更新（未做任何更改）。")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：共更新 {changed} 行，所有加密字段和摘要都已使用当前密钥。"
                "确认各服务（含后台任务）都已使用新密钥重启后，可以从 "
                "BANGBAN_DATA_KEYS_PREVIOUS 中去掉旧密钥（更换前的备份仍需旧密钥才能读取）。"
            )
        )
