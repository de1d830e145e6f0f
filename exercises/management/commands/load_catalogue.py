from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from exercises.catalogue_file import DEFAULT_CATALOGUE_PATH, CatalogueFileError
from exercises.services import load_catalogue


class Command(BaseCommand):
    help = "Load the exercise catalogue file into the database (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_CATALOGUE_PATH), help="catalogue YAML")

    def handle(self, *args, **options):
        try:
            report = load_catalogue(path=options["file"])
        except CatalogueFileError as error:
            raise CommandError(f"Catalogue not loaded, nothing was changed.\n{error}") from error
        except ValidationError as error:
            raise CommandError(f"Catalogue not loaded, nothing was changed: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Catalogue loaded: {report.summary()}."))
