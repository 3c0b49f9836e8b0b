"""`bangban demo`: load Yiyuan County's network and one account per role, and print the logins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bangban.network.changes import later_app_modules
from bangban.network.demo import DEMO_PASSWORD, build_yiyuan, demo_logins, is_loaded


def demo_extensions():
    """Each later app's `demo.extend_demo(demo)`, in INSTALLED_APPS order (the order apps depend on
    each other): the network knows nothing of the apps built on it, they add their own demo data."""
    for module in later_app_modules("demo"):
        extend = getattr(module, "extend_demo", None)
        if extend is not None:
            yield extend


class Command(BaseCommand):
    help = "载入沂源县演示数据：真实区划、县中心专区和分区、合作网点、服务时间和各角色演示账号。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="已载入过演示数据时不再运行（make run 使用）"
        )
        parser.add_argument(
            "--force", action="store_true", help="在生产配置（DEBUG=0）下也运行（会创建演示账号！）"
        )
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="网站监听的地址，用于打印登录地址（make run 的 HOST）",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="网站监听的端口，用于打印登录地址（make run 的 PORT）",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "这是生产配置（DEBUG=0）：演示数据会创建带公开密码的账号，已拒绝。"
                "确需载入请加 --force。"
            )
        if options["once"] and is_loaded():
            self.stdout.write("演示数据已载入，跳过。")
            self.print_logins(demo_logins(), options)
            return
        with transaction.atomic():
            demo = build_yiyuan()
            extended = [line for extend in demo_extensions() for line in extend(demo)]
        self.stdout.write(self.style.SUCCESS(f"已载入 {demo.county.name} 的服务网络。"))
        for line in extended:
            self.stdout.write(line)
        self.print_logins(demo.logins, options)

    def print_logins(self, logins, options):
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in logins:
            self.stdout.write(f"  {login.username:<14} {login.role:<18} {login.where}")
        self.stdout.write(f"打开 {site_address(options['host'], options['port'])} 登录。")


def site_address(host: str, port: int) -> str:
    """The address to open in a browser for a server bound to `host`:`port` (all interfaces are
    reached through this machine's loopback address)."""
    if host in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104 - naming the wildcard, not binding it
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"
