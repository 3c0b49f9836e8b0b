"""The outbox and the gateways: messages to applicants (SMS for now) written in the transaction of the
change they tell about, and delivered by the task worker with retries. Depends on nothing; callers
name what a message is about with a plain `reference` string ("case:370323-20261125-0042").
See docs/decisions/0014-task-worker-and-outbox.md."""
