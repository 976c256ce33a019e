/**
 * The Cognito user pool as an IdentityDirectory.
 *
 * In pools that sign in by email, Cognito's username is the user's `sub`, so
 * one AdminGetUser finds a user; a ListUsers filter on `sub` covers pools
 * where it is not. The full listing reads groups once per group rather than
 * once per user.
 */
import {
  AdminDeleteUserAttributesCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminUpdateUserAttributesCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { DirectoryUnavailableError } from "../users/errors.ts";
import type { IdentityDirectory } from "../users/ports.ts";
import type { DirectoryUser } from "../users/profile.ts";
import { isAwsError, isTransientAwsError } from "./errors.ts";

/** Cognito's largest page for ListUsers, ListGroups and ListUsersInGroup. */
const PAGE_SIZE = 60;

export class CognitoDirectory implements IdentityDirectory {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async getUser(userId: string): Promise<DirectoryUser | undefined> {
    return this.call(async () => {
      const found =
        (await this.getByUsername(userId)) ?? (await this.findBySub(userId));
      if (!found) return undefined;

      return toDirectoryUser(found, await this.groupsOf(found.Username ?? ""));
    });
  }

  async *listUsers(): AsyncIterable<DirectoryUser> {
    const groups = await this.call(() => this.groupsByUsername());
    let token: string | undefined;
    do {
      const page = await this.call(() =>
        this.client.send(
          new ListUsersCommand({
            UserPoolId: this.userPoolId,
            Limit: PAGE_SIZE,
            PaginationToken: token,
          }),
        ),
      );
      for (const user of page.Users ?? []) {
        yield toDirectoryUser(user, groups.get(user.Username ?? "") ?? []);
      }
      token = page.PaginationToken;
    } while (token);
  }

  async setPicture(
    user: DirectoryUser,
    picture: string | undefined,
  ): Promise<void> {
    const target = { UserPoolId: this.userPoolId, Username: user.username };
    await this.call(() =>
      picture === undefined
        ? this.client.send(
            new AdminDeleteUserAttributesCommand({
              ...target,
              UserAttributeNames: ["picture"],
            }),
          )
        : this.client.send(
            new AdminUpdateUserAttributesCommand({
              ...target,
              UserAttributes: [{ Name: "picture", Value: picture }],
            }),
          ),
    );
  }

  private async getByUsername(username: string): Promise<UserType | undefined> {
    try {
      const user = await this.client.send(
        new AdminGetUserCommand({
          UserPoolId: this.userPoolId,
          Username: username,
        }),
      );

      return { ...user, Attributes: user.UserAttributes };
    } catch (error) {
      if (isAwsError(error, "UserNotFoundException")) return undefined;
      throw error;
    }
  }

  private async findBySub(sub: string): Promise<UserType | undefined> {
    const page = await this.client.send(
      new ListUsersCommand({
        UserPoolId: this.userPoolId,
        Filter: `sub = "${sub.replaceAll('"', "")}"`,
        Limit: 1,
      }),
    );

    return page.Users?.[0];
  }

  private async groupsOf(username: string): Promise<string[]> {
    const groups: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new AdminListGroupsForUserCommand({
          UserPoolId: this.userPoolId,
          Username: username,
          Limit: PAGE_SIZE,
          NextToken: token,
        }),
      );
      for (const group of page.Groups ?? []) {
        if (group.GroupName) groups.push(group.GroupName);
      }
      token = page.NextToken;
    } while (token);

    return groups;
  }

  private async groupsByUsername(): Promise<Map<string, string[]>> {
    const byUser = new Map<string, string[]>();
    for (const group of await this.groupNames()) {
      let token: string | undefined;
      do {
        const page = await this.client.send(
          new ListUsersInGroupCommand({
            UserPoolId: this.userPoolId,
            GroupName: group,
            Limit: PAGE_SIZE,
            NextToken: token,
          }),
        );
        for (const user of page.Users ?? []) {
          const username = user.Username ?? "";
          byUser.set(username, [...(byUser.get(username) ?? []), group]);
        }
        token = page.NextToken;
      } while (token);
    }

    return byUser;
  }

  private async groupNames(): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListGroupsCommand({
          UserPoolId: this.userPoolId,
          Limit: PAGE_SIZE,
          NextToken: token,
        }),
      );
      for (const group of page.Groups ?? []) {
        if (group.GroupName) names.push(group.GroupName);
      }
      token = page.NextToken;
    } while (token);

    return names;
  }

  /** Runs a Cognito call, turning outages into DirectoryUnavailableError. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isTransientAwsError(error)) {
        throw new DirectoryUnavailableError("Cognito is unavailable", {
          cause: error,
        });
      }
      throw error;
    }
  }
}

function toDirectoryUser(user: UserType, groups: string[]): DirectoryUser {
  const attributes = attributeMap(user.Attributes);

  return {
    id: attributes.sub ?? user.Username ?? "",
    username: user.Username ?? "",
    attributes,
    groups,
    enabled: user.Enabled ?? true,
    createdAt: (user.UserCreateDate ?? new Date(0)).toISOString(),
    updatedAt: (user.UserLastModifiedDate ?? new Date(0)).toISOString(),
  };
}

function attributeMap(attributes: AttributeType[] | undefined) {
  const map: Record<string, string> = {};
  for (const { Name, Value } of attributes ?? []) {
    if (Name && Value !== undefined) map[Name] = Value;
  }

  return map;
}
