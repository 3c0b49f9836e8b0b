"""The outbox in Django admin, read-only, for the deployment's operators (superusers; see
network/admin.py): what was sent, what is waiting and why, what failed. Messages are written only by
the actions; the one thing an operator does here is put failed messages back to pending, which goes
through `retry_message` and is recorded in the admin history."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .actions import MessageError, retry_message
from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "masked_recipient",
        "reference",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["reference"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = [
        "channel",
        "masked_recipient",
        "reference",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "give_up_at",
        "last_error",
        "created_at",
        "sent_at",
        "gateway_id",
    ]
    readonly_fields = fields
    actions = ["retry_failed"]

    @admin.display(description=_("接收号码"))
    def masked_recipient(self, obj: Message) -> str:
        return obj.masked_recipient

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新发送选中的失败消息"))
    def retry_failed(self, request, queryset):
        retried = 0
        for message in queryset.filter(status=Message.Status.FAILED):
            try:
                retry_message(message, by=request.user)
            except MessageError:
                continue  # sent or retried meanwhile
            self.log_change(request, message, [{"changed": {"fields": ["status"]}}])
            retried += 1
        self.message_user(
            request,
            ngettext("%(n)d 条消息已重新排队发送。", "%(n)d 条消息已重新排队发送。", retried)
            % {"n": retried},
            messages.SUCCESS,
        )
