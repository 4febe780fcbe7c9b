"""GET/POST /api/v1/programs (bearer token required)."""
import logging
from typing import List

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.api.deps import get_current_user
from app.db.session import get_db
from app.models import Program, User
from app.schemas import ProgramCreate, ProgramOut

router = APIRouter()
log = logging.getLogger("planner.programs")


@router.get("", response_model=List[ProgramOut])
def list_programs(db: Session = Depends(get_db), user: User = Depends(get_current_user)):
    return db.query(Program).order_by(Program.id).all()


@router.post("", response_model=ProgramOut, status_code=status.HTTP_201_CREATED)
def create_program(body: ProgramCreate, db: Session = Depends(get_db), user: User = Depends(get_current_user)):
    program = Program(name=body.name, description=body.description)
    db.add(program)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=f"program {body.name!r} already exists")
    db.refresh(program)
    log.info("program %d %r created by %s", program.id, program.name, user.username)
    return program
