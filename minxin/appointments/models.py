"""Appointments: slots, bookings, check-in, home visits, forecasts: the data and its constraints."""
