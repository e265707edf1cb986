"""Replying without reloading the page (htmx), on poor Wi-Fi (R18, R5)."""

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_r18_htmx_reply_returns_only_the_families_own_thread(world):
    shared = world.observations["shared"]
    amy = world.children["amy"]
    response = world.client("parent_amy").post(
        f"/observations/{shared.pk}/comments/", {"child": amy.pk, "body": "From the park"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="card thread" id="thread-')
    assert "From the park" in html
    assert "Amy loved this!" in html  # the earlier reply in the same thread
    assert "Ben told us all about it." not in html  # the other family's words (R5)
    assert "<html" not in html


def test_r18_htmx_empty_reply_keeps_the_form_and_says_why(world):
    shared = world.observations["shared"]
    amy = world.children["amy"]
    response = world.client("parent_amy").post(
        f"/observations/{shared.pk}/comments/", {"child": amy.pk, "body": "   "}, **HTMX
    )
    assert response.status_code == 200
    assert b"Write your reply first." in response.content


def test_r5_htmx_reply_about_another_familys_child_is_refused(world):
    shared = world.observations["shared"]
    ben = world.children["ben"]
    response = world.client("parent_amy").post(
        f"/observations/{shared.pk}/comments/", {"child": ben.pk, "body": "Hi Ben"}, **HTMX
    )
    assert b"Hi Ben" not in response.content
    assert not shared.comments.filter(body="Hi Ben").exists()
