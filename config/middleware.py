"""Site-wide response policy."""

from django.utils import translation
from django.utils.cache import patch_cache_control

from accounts import services as accounts


def no_store(get_response):
    """Every answer not marked otherwise is `Cache-Control: no-store`: pages, API answers,
    PDFs and signed-link pages carry patient data, which no browser or shared cache may keep
    (a shared computer's back button, a clinic proxy). Static files are answered by WhiteNoise
    before this runs, with their own caching; a view that sets Cache-Control itself keeps it."""

    def middleware(request):
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response

    return middleware


def profile_language(get_response):
    """A signed-in user's pages speak the language of their profile: the patient's language
    (set by the physio, changeable by the patient) or the physiotherapist's preference.
    Before sign-in, LocaleMiddleware's choice (cookie, then the browser's) stands."""

    def middleware(request):
        language = accounts.profile_language(request.user)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return get_response(request)

    return middleware
