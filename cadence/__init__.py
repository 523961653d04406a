"""The weekly cadence: pre-filled update sheets (update_sheet), update requests and reminders
by e-mail (remind, mail), and the follow-up the Data quality page shows (follow_up)."""
