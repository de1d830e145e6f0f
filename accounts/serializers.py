from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import Patient


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, write_only=True)

    def validate(self, attrs):
        # `username=` is the name Django's and django-axes' backends read, for any USERNAME_FIELD.
        user = authenticate(
            request=self.context["request"]._request,
            username=attrs["email"].lower(),
            password=attrs["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"password": _("Email or password is not correct.")}, code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(
        help_text="When it ends unless used: each use extends it, up to a week from the login."
    )


class ApiSessionSerializer(serializers.Serializer):
    """One of the user's API tokens (never the token itself: only its first characters)."""

    token_key = serializers.CharField(help_text="The token's first characters, to recognise it.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    is_current = serializers.SerializerMethodField()

    def get_is_current(self, token) -> bool:
        current = self.context.get("current")
        return current is not None and current.pk == token.pk


class PatientSerializer(serializers.ModelSerializer):
    physiotherapist = serializers.IntegerField(source="physiotherapist_id", read_only=True)
    has_account = serializers.BooleanField(read_only=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "email",
            "timezone",
            "language",
            "physiotherapist",
            "has_account",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness per clinic is checked by the service (it knows the clinic).
        validators: list = []
