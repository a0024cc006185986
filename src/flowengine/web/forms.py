"""Flask-WTF forms for the fixed screens (login, password, actions, search).

Forms of the procedures' steps are generated from the definitions (:mod:`flowengine.web.fields`); the
:class:`StepForm` here only carries what every step form shares: the CSRF token, the version the person
saw, and the comment. Rules about the content (required fields, lengths, the lockout) live in the service;
the validators here only catch what cannot even be sent to it (an empty user name, a non-numeric version).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional


class ChineseForm(FlaskForm):
    """WTForms' own messages (e.g. an unreadable date) in Chinese; needs ``WTF_I18N_ENABLED = False``."""

    class Meta:
        locales = ("zh",)


class LoginForm(ChineseForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])
    next = HiddenField()


class PasswordForm(ChineseForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码")])
    confirm_password = PasswordField("再次输入新密码", validators=[DataRequired("请再次输入新密码")])


class StepForm(ChineseForm):
    """The shared part of every step's form; the step's own fields are read from the request."""

    version = IntegerField(validators=[InputRequired("页面缺少版本号，请刷新后重试")])
    comment = TextAreaField("意见", validators=[Length(max=2000, message="意见不能超过 2000 字")])


class StartForm(ChineseForm):
    org_id = IntegerField(validators=[InputRequired("请选择组织")])
    comment = TextAreaField("说明", validators=[Length(max=2000, message="说明不能超过 2000 字")])


class LogoutForm(ChineseForm):
    pass


class SearchForm(ChineseForm):
    """The auditor's search (a GET form: reading changes nothing, so it carries no CSRF token)."""

    class Meta:
        csrf = False
        locales = ("zh",)

    org = SelectField("组织", coerce=str, validators=[Optional()])
    org_name = StringField(
        "组织",
        validators=[Optional(), Length(max=100)],  # instead of org beyond the limit
        render_kw={"placeholder": "输入组织名称中的字词"},
    )
    workflow = SelectField("流程", coerce=str, validators=[Optional()])
    state = SelectField("当前步骤", coerce=str, validators=[Optional()])
    status = SelectField("办理状态", coerce=str, validators=[Optional()])
    date_from = DateField("发起日期自", validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField("至", validators=[Optional()], format="%Y-%m-%d")
    actor = StringField("经办人", validators=[Optional(), Length(max=100)])
