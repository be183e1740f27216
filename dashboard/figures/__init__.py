"""Pure plotly figure builders: functions of result tables, unit-tested without a browser."""
