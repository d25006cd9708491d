"""The Terraform resource model: resources for every HAVIP, and import blocks that adopt what
already exists (an HAVIP, its attachments, its EIP associations) when the inventory knows the ids."""

from __future__ import annotations

from kagen.generate.terraform import terraform_model
from kagen.inventory.load import load

INVENTORY = """region: cn-hangzhou
vswitches:
  vsw-a: {id: vsw-bp1a, cidr: 192.168.0.0/24}
instances:
  web-1: {id: i-bp1web1, ip: 192.168.0.11, vswitch: vsw-a}
  web-2: {ip: 192.168.0.12, vswitch: vsw-a}
enis:
  side: {id: eni-bp1side, ip: 192.168.0.31, vswitch: vsw-a, instance: web-2, device: eth1}
havips:
  web:
    id: havip-bp1web
    name: "web: front"
    description: "the # of the beast"
    vswitch: vsw-a
    address: 192.168.0.100
    members: [web-1, web-2]
    eip: [{address: 47.96.10.1, id: eip-bp1web}, 47.96.10.2]
  new:
    vswitch: vsw-a
    members: [web-1, side]
"""


def model(tmp_path) -> dict:
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY)
    return terraform_model(load(str(path)))


def test_what_exists_is_imported_and_what_is_not_is_created(tmp_path):
    assert model(tmp_path)["import"] == [
        {"to": "alicloud_vpc_ha_vip.web", "id": "havip-bp1web"},
        {"to": "alicloud_havip_attachment.web_web-1", "id": "havip-bp1web:i-bp1web1"},
        # web-2 has no id: its attachment is created (with a variable for the id), not imported.
        {"to": "alicloud_eip_association.web_0", "id": "eip-bp1web:havip-bp1web"},
    ]


def test_the_havip_keeps_its_name_and_description(tmp_path):
    resources = model(tmp_path)["resource"]
    assert resources["alicloud_vpc_ha_vip"]["web"] == {
        "vswitch_id": "vsw-bp1a",
        "ha_vip_name": "web: front",
        "description": "the # of the beast",
        "ip_address": "192.168.0.100",
    }
    assert resources["alicloud_vpc_ha_vip"]["new"] == {"vswitch_id": "vsw-bp1a", "ha_vip_name": "new"}
    assert resources["alicloud_havip_attachment"]["new_side"]["instance_type"] == "NetworkInterface"
    assert resources["alicloud_havip_attachment"]["web_web-2"]["instance_id"] == "${var.instance_web-2_id}"


def _provider_model(tmp_path, provider: str, extra: str = "") -> dict:
    path = tmp_path / "inventory.yaml"
    path.write_text(
        f"provider: {provider}\n"
        + INVENTORY.replace("    eip: [{address: 47.96.10.1, id: eip-bp1web}, 47.96.10.2]\n", "")
        + extra
    )
    return terraform_model(load(str(path)))


def test_each_provider_writes_its_own_resource_types(tmp_path):
    types = {
        provider: sorted(_provider_model(tmp_path, provider)["resource"])
        for provider in ("tencent", "volcengine", "huawei")
    }
    assert types == {
        "tencent": ["tencentcloud_ha_vip", "tencentcloud_ha_vip_instance_attachment"],
        "volcengine": ["volcengine_ha_vip", "volcengine_ha_vip_associate"],
        "huawei": ["huaweicloud_networking_vip", "huaweicloud_networking_vip_associate"],
    }
    assert _provider_model(tmp_path, "tencent")["terraform"] == {
        "required_providers": {"tencentcloud": {"source": "tencentcloudstack/tencentcloud"}}
    }


def test_import_ids_in_each_providers_format(tmp_path):
    assert _provider_model(tmp_path, "tencent")["import"] == [
        {"to": "tencentcloud_ha_vip.web", "id": "havip-bp1web"},
        {"to": "tencentcloud_ha_vip_instance_attachment.web_web-1", "id": "havip-bp1web#CVM#i-bp1web1"},
    ]
    assert _provider_model(tmp_path, "volcengine")["import"] == [
        {"to": "volcengine_ha_vip.web", "id": "havip-bp1web"},
        {"to": "volcengine_ha_vip_associate.web_web-1", "id": "havip-bp1web:i-bp1web1"},
    ]


def test_huaweis_associate_says_it_turns_off_the_source_check(tmp_path):
    resources = _provider_model(tmp_path, "huawei")["resource"]
    associate = resources["huaweicloud_networking_vip_associate"]["new"]
    assert associate == {
        "//": "huaweicloud_networking_vip_associate also turns off the source/destination check of these ports "
        "(it adds 1.1.1.1/0 to their allowed address pairs), so that they may send and receive for the virtual IP",
        "vip_id": "${huaweicloud_networking_vip.new.id}",
        # an ECS member stands for its port in the subnet, whose id the inventory does not hold
        "port_ids": ["${var.port_web-1_id}", "eni-bp1side"],
    }
    assert resources["huaweicloud_networking_vip"]["web"]["ip_version"] == 4


def test_routes_are_left_to_the_user_where_kagen_has_no_source(tmp_path):
    model = _provider_model(tmp_path, "volcengine", "    routes: [10.8.0.0/16]\n")
    assert model["resource"]["volcengine_ha_vip"]["new"]["//"] == (
        "routes to this HAVIP (10.8.0.0/16) are not written by kagen for Volcengine: "
        "add its route table entries yourself"
    )
