"""What leaves the desk: the layer above storage that takes what is due and sends it.

- `push_outbox` sends the outbox's due actions to the channels with each channel's client
  (`moderation.push`);
- `alert_evaluation` judges the alert rules over storage's counts and fires alerts (each with
  a pending delivery per target);
- `alert_delivery` sends due alert and report deliveries to robots and mailboxes
  (`moderation.alerts`).

The pieces below it are pure or network-only: `moderation.push` (channel clients and action
names), `moderation.alerts` (conditions, targets, mail). Used by the scheduler and the CLI.
"""
