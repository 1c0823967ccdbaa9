"""The API kit every app's router shares: value types, the error shape, pagination, scoped
look-ups. It imports no app; the NinjaAPI object that mounts the routers is xiezuo.api.urls."""
