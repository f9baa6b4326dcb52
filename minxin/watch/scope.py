"""Who may do what at which post: lookout staff hold their unit's posts, the command centre every post
under its region, a system administrator every post. One place for pages and API alike."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from minxin.accounts.models import Role, User
from minxin.core.errors import Forbidden, NotFound
from minxin.core.memo import memo
from minxin.orgs.models import Region, StaffMembership
from minxin.watch.models import FireIncident, Post

LOOKOUT = str(Role.LOOKOUT_STAFF)
COMMAND = str(Role.COMMAND_CENTRE)


@dataclass(frozen=True, slots=True)
class Scope:
    is_admin: bool
    lookout_units: frozenset[int]
    command_paths: tuple[str, ...]

    @property
    def is_command(self) -> bool:
        return self.is_admin or bool(self.command_paths)

    @property
    def is_anyone(self) -> bool:
        return self.is_admin or bool(self.command_paths) or bool(self.lookout_units)


NOBODY = Scope(is_admin=False, lookout_units=frozenset(), command_paths=())


def scope_of(user: User | object) -> Scope:
    """The user's watch roles (cached half a minute per process)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return NOBODY

    def load() -> Scope:
        rows = list(
            StaffMembership.objects.filter(
                user_id=user.pk, role__in=[Role.SYSTEM_ADMIN, LOOKOUT, COMMAND]
            ).values_list("role", "unit_id", "region__path")
        )
        return Scope(
            is_admin=user.is_superuser or any(role == Role.SYSTEM_ADMIN for role, _u, _p in rows),
            lookout_units=frozenset(unit for role, unit, _p in rows if role == LOOKOUT and unit),
            command_paths=tuple(sorted(path for role, _u, path in rows if role == COMMAND and path)),
        )

    return memo(("watch-scope", user.pk), 30, load)


def roles_at_post(scope: Scope, post: Post) -> set[str]:
    """The watch roles `scope` holds at `post` (needs post.unit.region loaded)."""
    roles: set[str] = set()
    if scope.is_admin:
        roles |= {LOOKOUT, COMMAND}
    if post.unit_id in scope.lookout_units:
        roles.add(LOOKOUT)
    if any(post.unit.region.path.startswith(path) for path in scope.command_paths):
        roles.add(COMMAND)
    return roles


def posts_in_scope(scope: Scope) -> QuerySet[Post]:
    posts = Post.objects.filter(is_active=True).select_related("unit__region", "plan", "escalation")
    if scope.is_admin:
        return posts
    condition = Q(unit_id__in=list(scope.lookout_units))
    for path in scope.command_paths:
        condition |= Q(unit__region__path__startswith=path)
    return posts.filter(condition) if scope.is_anyone else posts.none()


def incidents_in_scope(scope: Scope) -> QuerySet[FireIncident]:
    incidents = FireIncident.objects.select_related("region", "acknowledged_by", "closed_by")
    if scope.is_admin:
        return incidents
    condition = Q(pk__in=[])
    for path in scope.command_paths:
        condition |= Q(region__path__startswith=path)
    if scope.lookout_units:
        condition |= Q(reports__post__unit_id__in=list(scope.lookout_units))
    return incidents.filter(condition).distinct() if scope.is_anyone else incidents.none()


def post_for(scope: Scope, public_id: uuid.UUID | str, *, roles: set[str] | None = None) -> Post:
    """The post, if `scope` holds one of `roles` there (any watch role when None): 404 when the post does
    not exist or is out of sight, 403 when it is visible but the role is not held."""
    post = (
        Post.objects.select_related("unit__region", "plan", "escalation__acknowledged_by")
        .filter(public_id=public_id, is_active=True)
        .first()
    )
    held = roles_at_post(scope, post) if post is not None else set()
    if post is None or not held:
        raise NotFound(_("No such post."), code="post_not_found")
    if roles is not None and not held & roles:
        raise Forbidden(_("You may not do this at this post."), code="post_forbidden")
    return post


def incident_for(scope: Scope, public_id: uuid.UUID | str) -> FireIncident:
    incident = incidents_in_scope(scope).filter(public_id=public_id).first()
    if incident is None:
        raise NotFound(_("No such fire incident."), code="incident_not_found")
    return incident


def command_recipients(post: Post) -> QuerySet[User]:
    """The command centre's staff for `post`: holders of the role in its region or any region above."""
    path = post.unit.region.path
    ancestors = [path[: i + 1] for i, char in enumerate(path) if char == "/"]
    return User.objects.filter(
        is_active=True, memberships__role=COMMAND, memberships__region__path__in=ancestors
    ).distinct()


def lookout_recipients(post: Post) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__role=LOOKOUT, memberships__unit_id=post.unit_id
    ).distinct()


def command_region(scope: Scope, code: str) -> Region:
    """The region with this code, if `scope` is its command centre (or above it)."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(_("No such region."), code="region_not_found")
    if not scope.is_admin and not any(region.path.startswith(path) for path in scope.command_paths):
        raise Forbidden(_("Only the region's command centre sets its danger level."), code="forbidden")
    return region


def command_regions(scope: Scope) -> list[Region]:
    if scope.is_admin:
        return list(Region.objects.filter(level__in=["city", "county"]).order_by("path")[:200])
    return list(Region.objects.filter(path__in=scope.command_paths).order_by("path"))
