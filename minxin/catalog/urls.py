from django.urls import path

from minxin.catalog import admin_views, views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="item-list"),
    path("items/<uuid:item_id>/", views.item_detail, name="item-detail"),
    path("halls/<slug:code>/", views.hall_page, name="hall"),
    path("staff/halls/<slug:code>/", views.staff_hall, name="staff-hall"),
    path("staff/halls/<slug:code>/items/export.<str:fmt>", admin_views.items_export, name="items-export"),
    path("staff/halls/<slug:code>/items/import/", admin_views.items_import_view, name="items-import"),
]
