"""Live delivery: a WebSocket channel to every connected officer of an alert's zones, and push
to their phones (SNS mobile push for FCM/APNs, Web Push for the web app). Design: docs/alerts.md."""
