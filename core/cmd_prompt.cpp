// work in progress (lead)
