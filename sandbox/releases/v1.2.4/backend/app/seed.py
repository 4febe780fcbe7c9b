"""Seed rows for a fresh database (`python -m app.seed`); safe to run twice."""
import datetime
import logging

from app.core.security import hash_password
from app.db.session import SessionLocal
from app.models import Program, Project, Resource, User

log = logging.getLogger("planner.seed")

PROGRAMS = [
    ("Digital Transformation", "Modernise the customer-facing systems", [
        ("Customer Portal", "2024-01-08", "2024-06-28"),
        ("Mobile App", "2024-03-04", "2024-09-27"),
    ]),
    ("Data Platform", "One warehouse for reporting and planning", [
        ("Warehouse Migration", "2023-11-06", "2024-04-26"),
    ]),
    ("Office Relocation", "Move the Berlin office", [
        ("Fit-out", "2024-02-05", "2024-05-31"),
    ]),
]
RESOURCES = ["Alice Meyer", "Bob Tran", "Chen Li"]


def seed() -> str:
    db = SessionLocal()
    try:
        if db.query(User).filter(User.username == "test").first():
            return "already seeded"
        db.add(User(username="test", password_hash=hash_password("test")))
        first_project = None
        for name, description, projects in PROGRAMS:
            program = Program(name=name, description=description)
            db.add(program)
            db.flush()
            for pname, start, end in projects:
                project = Project(
                    program_id=program.id,
                    name=pname,
                    start_date=datetime.date.fromisoformat(start),
                    end_date=datetime.date.fromisoformat(end),
                )
                db.add(project)
                db.flush()
                first_project = first_project or project
        for name in RESOURCES:
            db.add(Resource(name=name, project_id=first_project.id, allocation_pct=50))
        db.commit()
        return f"seeded user 'test', {len(PROGRAMS)} programs, {sum(len(p[2]) for p in PROGRAMS)} projects, {len(RESOURCES)} resources"
    finally:
        db.close()


if __name__ == "__main__":
    print(seed())
