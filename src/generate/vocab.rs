//! Word lists that synthetic people and decoy values are drawn from.

/// Surnames with their pinyin (used for email addresses).
#[rustfmt::skip]
pub const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"),
    ("袁", "yuan"), ("潘", "pan"), ("于", "yu"), ("蒋", "jiang"), ("蔡", "cai"),
    ("余", "yu"), ("杜", "du"), ("叶", "ye"), ("程", "cheng"), ("苏", "su"),
    ("魏", "wei"), ("吕", "lv"), ("丁", "ding"), ("任", "ren"), ("沈", "shen"),
    ("姚", "yao"), ("卢", "lu"), ("姜", "jiang"), ("崔", "cui"), ("钟", "zhong"),
    ("谭", "tan"), ("陆", "lu"), ("汪", "wang"), ("范", "fan"), ("金", "jin"),
    ("石", "shi"), ("廖", "liao"), ("贾", "jia"), ("夏", "xia"), ("韦", "wei"),
    ("付", "fu"), ("方", "fang"), ("白", "bai"), ("邹", "zou"), ("孟", "meng"),
    ("熊", "xiong"), ("秦", "qin"), ("邱", "qiu"), ("江", "jiang"), ("尹", "yin"),
    ("薛", "xue"), ("闫", "yan"), ("段", "duan"), ("雷", "lei"), ("侯", "hou"),
    ("龙", "long"), ("史", "shi"), ("陶", "tao"), ("黎", "li"), ("贺", "he"),
    ("顾", "gu"), ("毛", "mao"), ("郝", "hao"), ("龚", "gong"), ("邵", "shao"),
    ("万", "wan"), ("钱", "qian"), ("严", "yan"), ("武", "wu"), ("戴", "dai"),
    ("莫", "mo"), ("孔", "kong"), ("向", "xiang"), ("欧阳", "ouyang"), ("司马", "sima"),
    ("上官", "shangguan"),
];

/// Characters of given names with their pinyin.
#[rustfmt::skip]
pub const GIVEN_CHARS: &[(&str, &str)] = &[
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"),
    ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("玉", "yu"),
    ("萍", "ping"), ("红", "hong"), ("建", "jian"), ("文", "wen"), ("辉", "hui"),
    ("力", "li"), ("鹏", "peng"), ("宇", "yu"), ("浩", "hao"), ("晨", "chen"),
    ("欣", "xin"), ("怡", "yi"), ("婷", "ting"), ("雪", "xue"), ("琳", "lin"),
    ("梓", "zi"), ("涵", "han"), ("子", "zi"), ("轩", "xuan"), ("博", "bo"),
    ("思", "si"), ("雨", "yu"), ("嘉", "jia"), ("佳", "jia"), ("一", "yi"),
    ("诺", "nuo"), ("睿", "rui"), ("泽", "ze"), ("俊", "jun"), ("晓", "xiao"),
    ("海", "hai"), ("燕", "yan"), ("丹", "dan"), ("斌", "bin"), ("波", "bo"),
    ("宁", "ning"), ("凯", "kai"), ("峰", "feng"), ("慧", "hui"), ("颖", "ying"),
    ("倩", "qian"), ("瑶", "yao"), ("欢", "huan"), ("彬", "bin"), ("鑫", "xin"),
    ("昊", "hao"), ("然", "ran"), ("天", "tian"), ("志", "zhi"), ("国", "guo"),
    ("春", "chun"), ("东", "dong"), ("亮", "liang"), ("晶", "jing"), ("蕾", "lei"),
    ("琪", "qi"), ("阳", "yang"), ("琦", "qi"), ("莉", "li"), ("云", "yun"),
    ("帆", "fan"), ("安", "an"), ("乐", "le"), ("可", "ke"), ("馨", "xin"),
    ("悦", "yue"), ("卓", "zhuo"), ("铭", "ming"), ("瑞", "rui"), ("恒", "heng"),
    ("成", "cheng"), ("新", "xin"), ("家", "jia"), ("伦", "lun"), ("荣", "rong"),
    ("堃", "kun"), ("喆", "zhe"),
    // The last two are outside GBK: GB18030 encodes them, strict GBK cannot.
    ("䶮", "yan"), ("𠮷", "ji"),
];

/// Index in `GIVEN_CHARS` of the first character outside GBK; the random draw stops
/// before it, so these characters appear only where a layout places them on purpose.
pub const FIRST_NON_GBK_GIVEN: usize = GIVEN_CHARS.len() - 2;

/// County-level divisions (GB/T 2260 codes) used both as birthplaces in resident IDs and
/// as home addresses.
pub const DISTRICTS: &[(&str, &str)] = &[
    ("110101", "北京市东城区"),
    ("110105", "北京市朝阳区"),
    ("110108", "北京市海淀区"),
    ("120101", "天津市和平区"),
    ("210102", "辽宁省沈阳市和平区"),
    ("310104", "上海市徐汇区"),
    ("310115", "上海市浦东新区"),
    ("320102", "江苏省南京市玄武区"),
    ("330106", "浙江省杭州市西湖区"),
    ("350203", "福建省厦门市思明区"),
    ("370202", "山东省青岛市市南区"),
    ("410105", "河南省郑州市金水区"),
    ("420106", "湖北省武汉市武昌区"),
    ("430104", "湖南省长沙市岳麓区"),
    ("440104", "广东省广州市越秀区"),
    ("440305", "广东省深圳市南山区"),
    ("500103", "重庆市渝中区"),
    ("510107", "四川省成都市武侯区"),
    ("530102", "云南省昆明市五华区"),
    ("610113", "陕西省西安市雁塔区"),
];

#[rustfmt::skip]
pub const ROADS: &[&str] = &[
    "人民路", "建设路", "解放路", "中山路", "和平路", "新华路", "长江路", "文化路",
    "东风路", "青年路", "友谊路", "光明路", "学府路", "花园路", "滨江路", "科技路",
];

/// Three-digit prefixes of mainland mobile numbers, including the newer 16x and 19x ranges.
#[rustfmt::skip]
pub const MOBILE_PREFIXES: &[u16] = &[
    130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 147, 150, 151, 152, 153, 155, 156,
    157, 158, 159, 162, 166, 170, 172, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184,
    185, 186, 187, 188, 189, 191, 192, 193, 195, 196, 197, 198, 199,
];

/// Issuer identification numbers of UnionPay debit cards and the card length they go with.
pub const CARD_BINS: &[(&str, usize)] = &[
    ("622202", 19),
    ("622848", 19),
    ("621700", 19),
    ("622588", 16),
    ("621226", 19),
    ("623668", 19),
    ("622262", 19),
    ("625965", 16),
];

#[rustfmt::skip]
pub const EMAIL_DOMAINS: &[&str] = &[
    "qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "outlook.com", "gmail.com",
    "139.com",
];

pub const DIAGNOSES: &[&str] = &[
    "2型糖尿病",
    "原发性高血压",
    "急性上呼吸道感染",
    "慢性胃炎",
    "腰椎间盘突出症",
    "支气管哮喘",
    "冠状动脉粥样硬化性心脏病",
    "甲状腺结节",
    "过敏性鼻炎",
    "骨质疏松症",
    "高脂血症",
    "抑郁发作",
];

/// Store codes that open order numbers. The first two are also valid division codes, so
/// about one in eleven order numbers built on them passes the full resident ID check by
/// chance (about 1% of all order numbers). The others start with no province code.
#[rustfmt::skip]
pub const STORE_CODES: &[&str] = &[
    "310115", "440305", "900127", "900233", "761240", "880452", "990018", "770391", "980311",
    "870214", "780563", "680127", "580342", "480716", "390825", "290604", "190331", "250119",
    "270845", "380552",
];

/// Number of leading entries of `STORE_CODES` that are valid division codes.
pub const DIVISION_LIKE_STORE_CODES: usize = 2;

/// Free-text remarks of orders and service records, none with personal data. Some
/// contain ASCII commas and double quotes so that CSV quoting is exercised.
pub const REMARKS: &[&str] = &[
    "",
    "请尽快发货",
    "工作日送货",
    "周末不在家，请放快递柜",
    "发票抬头：个人",
    "赠品已随包裹寄出",
    "客户要求改为\"顺丰\"配送",
    "已退款, 客户确认",
    "包装破损，已补发",
    "咨询会员积分规则，已解答",
    "客户来电咨询退款进度，告知3个工作日内到账",
    "投诉配送延迟，已致歉并补偿优惠券",
    "要求修改收货地址，已处理",
    "询问发票开具，已发送电子发票",
];

/// Product names of order lines.
pub const PRODUCTS: &[&str] = &[
    "无线蓝牙耳机 降噪版",
    "有机纯牛奶 250ml×12盒",
    "智能手环 第六代 黑色",
    "家用空气净化器 KJ500",
    "儿童保温杯 480ml",
    "全自动咖啡机 意式",
    "纯棉四件套 1.8m床",
    "机械键盘 87键 茶轴",
    "东北五常大米 5kg",
    "电动牙刷 声波款",
    "不锈钢炒锅 32cm",
    "运动跑鞋 男款 42码",
    "速干T恤 女款 M码",
    "手机快充数据线 1m",
    "新鲜脐橙 5斤装",
    "办公椅 人体工学",
];

/// Title rows above report-style sheets.
pub const REPORT_TITLE: &str = "门诊随访统计报表";
pub const REPORT_SUBTITLE: &str = "导出人：数据中心    统计口径：本季度随访患者";
