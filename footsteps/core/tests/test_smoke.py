def test_world_builds_and_manager_sees_children(world):
    response = world.client("manager").get("/children/")
    assert response.status_code == 200
    assert b"Amy Acorn" in response.content
    assert b"Zed" not in response.content
