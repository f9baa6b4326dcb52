"""Search: the default synonym table (what people type → the catalog's words), who each existing item is
for, the segmented text of every version, and on PostgreSQL the GIN index over the weighted tsvector."""

from __future__ import annotations

from typing import Any

from django.db import migrations

SYNONYMS = {
    "营业执照": "企业设立登记 个体工商户设立登记",
    "执照": "企业设立登记 个体工商户设立登记",
    "开公司": "企业设立登记",
    "注册公司": "企业设立登记",
    "开办企业": "企业设立登记 新办纳税人",
    "企业开办": "企业设立登记 新办纳税人",
    "注销公司": "企业注销登记 企业简易注销登记",
    "公司变更": "企业变更登记",
    "身份证": "居民身份证",
    "补办": "补领 补发 补证",
    "补": "补领 补发 补证",
    "丢了": "补领 补发 补证",
    "丢失": "补领 补发 补证",
    "遗失": "补领 补发 补证",
    "换证": "换领 换发 换证",
    "过期": "换领 换发 延续 换证",
    "到期": "换领 换发 延续 换证",
    "新办": "首次申领 设立 新办",
    "户口": "户籍 户口迁入登记 出生登记",
    "上户口": "出生登记 户口迁入登记",
    "落户": "户口迁入登记",
    "迁户口": "户口迁入登记",
    "驾照": "机动车驾驶证",
    "驾驶证": "机动车驾驶证",
    "上牌": "机动车注册登记",
    "年检": "机动车检验合格标志",
    "过户": "转移登记 过户",
    "买房": "存量房买卖转移登记 新建商品房转移登记",
    "二手房": "存量房买卖转移登记",
    "房产证": "不动产权证书 不动产",
    "房本": "不动产权证书 不动产",
    "公积金": "住房公积金",
    "社保": "社会保险 社会保障卡 养老保险",
    "社保卡": "社会保障卡",
    "医保": "医疗保险 医疗保障",
    "结婚": "结婚登记",
    "领证": "结婚登记",
    "离婚": "离婚登记",
    "护照": "普通护照",
    "港澳通行证": "往来港澳通行证",
    "台湾通行证": "往来台湾通行证",
    "无犯罪证明": "无犯罪记录证明 无犯罪记录公证",
    "退休": "养老保险待遇 离休 退休",
    "养老金": "养老保险待遇",
    "生孩子": "出生登记 出生医学证明 生育津贴",
    "生育": "出生登记 出生医学证明 生育津贴",
    "出生证": "出生医学证明",
    "失业金": "失业保险金",
    "个税": "个人所得税",
    "开发票": "代开增值税发票 发票领用",
    "领发票": "发票领用",
    "残疾证": "残疾人证",
    "低保": "最低生活保障",
    "教师资格证": "教师资格认定",
    "食品许可证": "食品经营许可",
    "卫生许可证": "公共场所卫生许可",
    "宽带": "固定宽带",
    "装宽带": "固定宽带业务新装",
    "通电": "用电报装",
    "装电": "用电报装",
    "用电": "用电报装",
    "装水": "用水报装",
    "天然气": "燃气 用气报装",
    "煤气": "燃气 用气报装",
    "异地就医": "跨省异地就医备案",
    "报销": "零星医疗费用报销",
    "网约车": "网络预约出租汽车",
    "律师证": "律师执业许可",
    "广告牌": "户外广告",
    "外国人工作": "外国人来华工作许可",
    "工作许可": "外国人来华工作许可",
    "居住证明": "居住证",
    "暂住证": "居住证",
    "提取公积金": "住房公积金提取",
    "取公积金": "住房公积金提取",
    "贷款": "住房公积金贷款 抵押",
    "抵押": "抵押权 抵押登记",
    "开业": "设立登记 经营许可",
    "找工作": "就业登记 失业登记",
    "就业": "就业登记",
    "入学": "学历证明 民办学校",
    "学籍": "学历证明",
    "增驾": "增加准驾车型",
    "饭店": "食品经营许可",
    "开饭店": "食品经营许可",
    "餐馆": "食品经营许可",
    "药店": "药品零售企业经营许可",
    "解押": "抵押权注销登记",
    "查房产": "不动产登记资料查询",
    "车购税": "车辆购置税",
    "结婚证": "婚姻登记证 结婚登记",
    "环评": "环境影响",
    "网吧": "互联网上网服务营业场所",
    "捕鱼证": "渔业捕捞许可",
    "捕鱼": "渔业捕捞许可",
    "危化品": "危险化学品",
    "占道": "占用城市道路",
    "挖路": "挖掘城市道路",
    "卖烟": "烟草专卖零售许可证",
    "烟草证": "烟草专卖零售许可证",
    "砍树": "林木采伐",
    "查档案": "档案查阅",
    "退税": "退抵税 出口退免税",
    "残保金": "残疾人就业保障金",
    "驾校": "机动车驾驶员培训",
}

def forwards(apps: Any, schema_editor: Any) -> None:
    from minxin.catalog import search, sql

    Synonym = apps.get_model("catalog", "Synonym")
    ItemVersion = apps.get_model("catalog", "ItemVersion")
    for term, expansions in SYNONYMS.items():
        Synonym.objects.get_or_create(term=term, defaults={"expansions": expansions})
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(sql.CREATE_GIN_INDEX)
    for version in ItemVersion.objects.select_related("item__department").prefetch_related("materials"):
        materials = [material.name for material in version.materials.all()]
        audience = search.guess_audience(version.name, materials)
        department = version.item.department
        doc = search.document(
            name=version.name,
            department=f"{department.name} {department.short_name}",
            materials=materials,
            conditions=version.conditions,
        )
        ItemVersion.objects.filter(pk=version.pk).update(search_text=doc.text(), audience=audience)
        if schema_editor.connection.vendor == "postgresql":
            sql.set_search_vector(
                version_id=version.pk,
                name=" ".join(doc.name),
                department=" ".join(doc.department),
                body=" ".join(doc.body),
            )


def backwards(apps: Any, schema_editor: Any) -> None:
    from minxin.catalog import sql

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(sql.DROP_GIN_INDEX)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_guide_popularity_english_names")]
    operations = [migrations.RunPython(forwards, backwards)]
