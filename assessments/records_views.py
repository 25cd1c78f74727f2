"""Views of patient records (being written)."""

from django.http import HttpResponse


def patient_list(request, **kwargs):
    return HttpResponse(status=501)


def patient_create(request, **kwargs):
    return HttpResponse(status=501)


def patient_detail(request, **kwargs):
    return HttpResponse(status=501)


def patient_timeline_svg(request, **kwargs):
    return HttpResponse(status=501)


def assessment_save(request, **kwargs):
    return HttpResponse(status=501)


def assessment_detail(request, **kwargs):
    return HttpResponse(status=501)


def assessment_reassess(request, **kwargs):
    return HttpResponse(status=501)


def reminder_update(request, **kwargs):
    return HttpResponse(status=501)


def ward(request, **kwargs):
    return HttpResponse(status=501)


def review_queue(request, **kwargs):
    return HttpResponse(status=501)


def review_case(request, **kwargs):
    return HttpResponse(status=501)


def audit_log(request, **kwargs):
    return HttpResponse(status=501)
