"""Pages of citizen promises and cooperation agreements: ``promises:list`` ..."""

from django.urls import path

from drugscene.promises import views

app_name = "promises"
urlpatterns = [
    path("agreements/", views.agreement_list, name="list"),
    path("agreements/new/", views.agreement_new, name="new"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="detail"),
    path("agreements/<int:agreement_id>/edit/", views.agreement_edit, name="edit"),
    path("agreements/<int:agreement_id>/commitments/", views.commitment_add,
         name="commitment-add"),
    path("agreements/commitments/<int:commitment_id>/edit/", views.commitment_edit,
         name="commitment-edit"),
    path("agreements/commitments/<int:commitment_id>/remove/", views.commitment_remove,
         name="commitment-remove"),
]
