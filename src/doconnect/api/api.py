from ninja import NinjaAPI

api = NinjaAPI(title="do-connect API", version="1")
