"""The athlete behind the kick: critical speed, D', sprint speed, speed reserve, D' balance,
race-time predictions."""
