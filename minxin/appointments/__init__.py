"""Appointments: slots, bookings, check-in, home visits, forecasts."""
