"""Sign in (throttled) and sign out."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from drugscene.core.clients import client_address
from drugscene.web import login as throttling


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.keys = throttling.keys_for(request.POST.get("username", ""), client_address(request))
        if throttling.locked_out(self.keys):
            form = AuthenticationForm(request, initial={"username": request.POST.get("username")})
            message = _(
                "Too many failed sign-in attempts. For your security, signing in is blocked "
                "for up to %(minutes)s minutes. Please try again later."
            ) % {"minutes": throttling.lockout_minutes()}
            context = self.get_context_data(form=form, locked_message=message)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        throttling.record_success(self.keys)
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        throttling.record_failure(self.keys)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"
