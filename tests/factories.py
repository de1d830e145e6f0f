import datetime

import factory

from accounts.models import Clinic, Patient, Physiotherapist, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    phone = "01234 000000"
    emergency_wording = "Call 999 in an emergency."


class PhysiotherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Physiotherapist

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    physiotherapist = factory.SubFactory(PhysiotherapistFactory)
    clinic = factory.SelfAttribute("physiotherapist.clinic")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    date_of_birth = datetime.date(1980, 1, 1)
    timezone = "Europe/London"

    @factory.post_generation
    def with_account(self, create, extracted, **kwargs):
        if create and extracted:
            self.user = UserFactory(email=self.email, full_name=self.full_name)
            self.save(update_fields=["user"])
