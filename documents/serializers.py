from django.urls import reverse
from rest_framework import serializers

from documents import services
from documents.models import ProgramDocument


class DocumentRequestSerializer(serializers.Serializer):
    large_print = serializers.BooleanField(default=False)


class ProgramDocumentSerializer(serializers.ModelSerializer):
    revision = serializers.IntegerField(source="revision.number", read_only=True)
    plan = serializers.IntegerField(source="revision.plan_id", read_only=True)
    large_print = serializers.BooleanField(source="is_large_print", read_only=True)
    download_url = serializers.SerializerMethodField(
        help_text="A signed link, valid for one hour, once the document is ready."
    )

    class Meta:
        model = ProgramDocument
        fields = [
            "id",
            "plan",
            "revision",
            "large_print",
            "status",
            "error",
            "attempts",
            "render_seconds",
            "created_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document) -> str | None:
        if not document.is_ready:
            return None
        path = reverse("api-document-download", args=[document.pk])
        url = f"{path}?token={services.download_token(document)}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url
